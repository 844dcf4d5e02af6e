"""`deliverability load`: Exporte in eine Parquet-Datei des Ereignisschemas laden."""

from __future__ import annotations

import argparse

from deliverability import config
from deliverability.cli.options import rules_option


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
    parser.add_argument(
        "--timezone",
        default=config.DEFAULT_TIMEZONE,
        metavar="ZONE",
        help="Zeitzone für Zeitangaben ohne Zone (Standard: Europe/Berlin)",
    )
    rules_option(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.ingest.cli import run_load

    return run_load(
        inputs=args.paths,
        fmt_name=args.format,
        out=args.out,
        rejects=args.rejects,
        timezone=args.timezone,
    )
