"""`deliverability load`: Exporte in eine Parquet-Datei des Ereignisschemas laden."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from deliverability.cli.options import csv_option, rules_option, timezone_option

if TYPE_CHECKING:
    from deliverability.ingest.into_parquet import Written
    from deliverability.ingest.result import FileProgress


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "load",
        help="Exporte beliebiger Quellen in eine Parquet-Datei des Ereignisschemas laden",
        description="Liest Exporte von Mailjet, SendGrid, Amazon SES, Mailgun, Brevo, Postmark, "
        "Postfix-Logs, Bounce-Mails, generische CSVs und CSVs mit Zuordnungsdatei. Das Format "
        "wird am Inhalt erkannt (--format überschreibt). Jede Datei wird abgerechnet: gelesen = "
        "geladen + abgelehnt + bewusst übersprungen + doppelt.",
    )
    parser.add_argument("paths", nargs="+", metavar="PFAD", help="Dateien oder Maildir-Ordner")
    parser.add_argument(
        "--format",
        metavar="FORMAT",
        help="z. B. sendgrid, ses, postfix, generic_csv oder mapping:DATEI.toml",
    )
    parser.add_argument("--out", required=True, metavar="DATEI.parquet", help="Ausgabedatei")
    parser.add_argument(
        "--rejects", metavar="DATEI.csv", help="abgelehnte Einträge (Standard: neben --out)"
    )
    timezone_option(parser, "Zeitangaben ohne Zone (Standard: Europe/Berlin)")
    csv_option(parser)
    rules_option(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.cli.progress import loading
    from deliverability.export import check_output
    from deliverability.ingest.into_parquet import load_into_parquet
    from deliverability.ingest.registry import format_label
    from deliverability.people_csv import write_people_csv
    from deliverability.views import format as fmt

    check_output(Path(args.out))
    if args.rejects:
        check_output(Path(args.rejects))
    target = Path(args.out)
    with loading() as advance:
        result = load_into_parquet(  # generic CSVs: one streaming pass, none kept in memory
            [Path(p) for p in args.paths],
            target,
            timezone=args.timezone,
            format=args.format,
            progress=advance,
        ) or _loaded_and_written(args, target, advance)
    for stats in result.files:
        how = "vorgegeben" if args.format else "erkannt"
        parts = [
            f"{fmt.number(stats.loaded)} geladen",
            f"{fmt.number(stats.rejected)} abgelehnt",
        ]
        if stats.skipped:
            probes = (
                f" (davon {fmt.number(stats.probes)} Adressprüfungen ohne Versand)"
                if stats.probes
                else ""
            )
            parts.append(f"{fmt.number(stats.skipped)} bewusst übersprungen{probes}")
        if stats.duplicates:
            parts.append(f"{fmt.number(stats.duplicates)} doppelt")
        print(
            f"{stats.path}: {format_label(stats.format)} ({how}); {fmt.number(stats.read)} Einträge "
            f"gelesen = {' + '.join(parts)}"
        )
    print(f"{fmt.number(result.events)} Ereignisse in {target}")
    if result.rejects.height:
        default = target.with_name(f"{target.stem}_abgelehnte_zeilen.csv")
        reject_file = Path(args.rejects) if args.rejects else default
        write_people_csv(result.rejects, reject_file, form=args.csv, timezone=args.timezone)
        print(
            f"{fmt.number(result.rejects.height)} abgelehnte Einträge mit Grund in: {reject_file}"
        )
    return 0


def _loaded_and_written(args: argparse.Namespace, target: Path, advance: FileProgress) -> Written:
    """Every other input: loaded whole (`load_events`), then written."""
    from deliverability.export import write_parquet_atomic
    from deliverability.ingest import load_events
    from deliverability.ingest.into_parquet import Written

    result = load_events(
        args.paths,
        timezone=args.timezone,
        format=args.format,
        progress=advance,
        compact=False,  # written out at once: the Parquet writer takes the pieces as they are
    )
    write_parquet_atomic(result.events, target)
    return Written(result.events.height, result.rejects, result.files)
