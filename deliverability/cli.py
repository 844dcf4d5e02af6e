"""The `deliverability` command: argument parsing and German messages only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from deliverability import __version__, argparse_de, config
from deliverability.errors import DeliverabilityError


def _parser() -> argparse.ArgumentParser:
    argparse_de.install()
    parser = argparse.ArgumentParser(
        prog="deliverability",
        description="Warum kommt unsere Mail nicht an? Auswertungen von Versand- und "
        "Bounce-Protokollen mit deutschem Wochenbericht.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", title="Befehle", metavar="BEFEHL")

    report = commands.add_parser(
        "report",
        help="Wochenbericht als HTML erzeugen (ohne Angaben: mit den Beispieldaten)",
        description="Führt das Notebook wochenbericht.ipynb mit papermill aus und speichert den "
        "Bericht ohne Code als HTML, dazu die Sperrliste (sperrliste.csv) und die abgelehnten "
        "Zeilen (abgelehnte_zeilen.csv) in AUSGABE/<Woche>/.",
    )
    report.add_argument(
        "--input",
        nargs="+",
        action="extend",
        metavar="DATEI",
        default=[],
        help="Ereignisdateien im CSV-Format (auch .gz); ohne Angabe die "
        "Beispieldaten aus data/sample/",
    )
    report.add_argument(
        "--week",
        metavar="JJJJ-Www",
        help="ISO-Kalenderwoche, z. B. 2026-W47; ohne Angabe die letzte Woche in den Daten",
    )
    report.add_argument(
        "--out",
        metavar="ORDNER",
        default=str(config.REPORTS_DIR),
        help="Ausgabeordner (Standard: reports)",
    )
    report.add_argument(
        "--timezone",
        metavar="ZONE",
        default=config.DEFAULT_TIMEZONE,
        help="Zeitzone für Wochen und Zeitangaben ohne Zone (Standard: Europe/Berlin)",
    )

    sample = commands.add_parser(
        "sample",
        help="Beispieldaten neu erzeugen (deterministisch)",
        description="Erzeugt die Beispieldaten (vier Wochen eines B2B-Versenders als "
        "Ereignis-CSV und das Bounce-Postfach der letzten Woche als mbox) mit festem "
        "Startwert; mit --scale größere Datensätze für Benchmarks.",
    )
    sample.add_argument(
        "--out",
        metavar="ORDNER",
        default=str(config.SAMPLE_DIR),
        help="Zielordner (Standard: data/sample)",
    )
    sample.add_argument(
        "--seed", type=int, default=20261123, help="Startwert des Zufallsgenerators"
    )
    sample.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Vielfaches des Standardumfangs (Kontakte und Versand)",
    )
    classify = commands.add_parser(
        "classify",
        help="Bounce-Mails (.eml, mbox, Maildir) auswerten: Grund, hart/weich, Empfehlung",
        description="Liest Bounce-Mails (einzelne .eml-Dateien, mbox-Dateien, Maildir- und "
        "andere Ordner) und gibt je fehlgeschlagenem Empfänger einen Datensatz aus: Empfänger, "
        "Grund, hart/weich, ob die Adresse gesperrt werden sollte, Codes, Fehlermeldung des "
        "Servers und die deutsche Erklärung mit Empfehlung. Mails, die keine Bounces sind, "
        "werden auf der Fehlerausgabe genannt.",
    )
    classify.add_argument("paths", nargs="+", metavar="PFAD", help="Dateien oder Ordner")
    classify.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="Ausgabeformat: jsonl (ein JSON-Objekt je Zeile, Standard) oder csv",
    )
    return parser


def _run_classify(args: argparse.Namespace) -> int:
    from deliverability.bounces.cli_classify import run

    return run(args.paths, args.format)


def _run_report(args: argparse.Namespace) -> int:
    from deliverability.report.runner import run_weekly_report

    result = run_weekly_report(
        inputs=[Path(p) for p in args.input],
        week=args.week,
        out_dir=Path(args.out),
        timezone=args.timezone,
    )
    print(f"Bericht für {result.week_title}: {result.html}")
    print(f"Sperrliste ({result.suppressed} Adressen): {result.suppression_csv}")
    if result.rejected:
        print(f"{result.rejected} Zeilen abgelehnt, mit Grund in: {result.rejects_csv}")
    return 0


def _run_sample(args: argparse.Namespace) -> int:
    from deliverability.sample import write_sample
    from deliverability.sample_bounces import write_bounce_sample

    for path in write_sample(Path(args.out), seed=args.seed, scale=args.scale):
        print(f"geschrieben: {path}")
    bounces = write_bounce_sample(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"geschrieben: {bounces}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {"report": _run_report, "sample": _run_sample, "classify": _run_classify}
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return handlers[args.command](args)
    except DeliverabilityError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
