"""`deliverability report`: Wochenbericht als HTML, PDF und Excel-Arbeitsmappe (papermill)."""

from __future__ import annotations

import argparse

from deliverability.cli.options import rules_option, settings_options, timezone_option


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "report",
        help="Wochenbericht als HTML, PDF und Excel-Arbeitsmappe erzeugen (ohne Angaben: mit "
        "den Beispieldaten)",
        description="Führt das Notebook wochenbericht.ipynb mit papermill aus und speichert den "
        "Bericht ohne Code als HTML (wochenbericht.html) und als PDF für A4 (wochenbericht.pdf), "
        "die Tabellen als Excel-Arbeitsmappe (wochenbericht.xlsx), dazu die Sperrliste "
        "(sperrliste.csv), die Adressen zu den Auffälligkeiten (betroffene_adressen.csv) und die "
        "abgelehnten Zeilen (abgelehnte_zeilen.csv) in AUSGABE/<Woche>/.",
    )
    parser.add_argument(
        "--input",
        nargs="+",
        action="extend",
        metavar="DATEI",
        default=[],
        help="Ereignisdateien im CSV-Format (auch .gz); ohne Angabe die "
        "Beispieldaten aus data/sample/",
    )
    parser.add_argument(
        "--week",
        metavar="WOCHE",
        help="Kalenderwoche, z. B. 2026-W47, KW 47/2026 oder 47/2026; ohne Angabe die letzte "
        "Woche in den Daten",
    )
    parser.add_argument(
        "--out",
        metavar="ORDNER",
        default="reports",
        help="Ausgabeordner (Standard: reports im Arbeitsordner)",
    )
    timezone_option(parser, "Wochen und Zeitangaben ohne Zone (Standard: Europe/Berlin)")
    parser.add_argument(
        "--state",
        metavar="ORDNER",
        help="Ordner der Sperrliste (wie bei `deliverability suppress`); ohne Angabe wird die "
        "Sperrliste nur aus den Eingabedateien berechnet",
    )
    rules_option(parser)
    settings_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from deliverability.cli.progress import progress
    from deliverability.export import check_output
    from deliverability.report.runner import run_weekly_report

    check_output(Path(args.out), folder=True)
    if args.state:
        check_output(Path(args.state), folder=True)
    with progress("Wochenbericht", "Abschnitte") as advance:
        result = run_weekly_report(
            inputs=[Path(p) for p in args.input],
            week=args.week,
            out_dir=Path(args.out),
            timezone=args.timezone,
            state_dir=Path(args.state) if args.state else None,
            rules_file=Path(args.rules) if args.rules else None,
            settings_file=args.settings,
            policy_change=args.policy_change,
            progress=lambda done, total: advance(done, total, 0),
        )
    print(f"Bericht für {result.week_title}: {result.html}")
    print(f"Derselbe Bericht als PDF: {result.pdf}")
    print(f"Tabellen als Excel-Arbeitsmappe: {result.workbook}")
    print(f"Adressen zu den Auffälligkeiten: {result.affected_csv}")
    print(f"Sperrliste ({result.suppressed} Adressen): {result.suppression_csv}")
    if result.rejected:
        print(f"{result.rejected} Zeilen abgelehnt, mit Grund in: {result.rejects_csv}")
    return 0
