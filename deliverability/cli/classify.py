"""`deliverability classify`: Bounce-Mails auswerten."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deliverability.cli.options import rules_option


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "classify",
        help="Bounce-Mails (.eml, .msg, mbox, Maildir) auswerten: Grund, hart/weich, Empfehlung",
        description="Liest Bounce-Mails (einzelne .eml-Dateien, aus Outlook gespeicherte .msg-Dateien, "
        "mbox-Dateien, Maildir- und andere Ordner) und gibt je fehlgeschlagenem Empfänger "
        "einen Datensatz aus: Empfänger, "
        "Grund, hart/weich, ob die Adresse gesperrt werden sollte, Codes, Fehlermeldung des "
        "Servers und die deutsche Erklärung mit Empfehlung. Mails, die keine Bounces sind, "
        "werden auf der Fehlerausgabe genannt.",
    )
    parser.add_argument("paths", nargs="+", metavar="PFAD", help="Dateien oder Ordner")
    parser.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="Ausgabeformat: jsonl (ein JSON-Objekt je Zeile, Standard) oder csv",
    )
    rules_option(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.bounces.records import write_verdicts
    from deliverability.errors import InputError
    from deliverability.ingest.text import check_input

    for path in args.paths:  # every path is checked before the first record is written
        if not Path(path).exists():
            raise InputError("Die Datei oder der Ordner existiert nicht.", path=path)
        check_input(Path(path))
    mails, records, skipped = write_verdicts(args.paths, args.format, sys.stdout, sys.stderr)
    print(
        f"{mails} Mails gelesen, {records} fehlgeschlagene Empfänger, "
        f"{skipped} ohne Unzustellbarkeit.",
        file=sys.stderr,
    )
    return 0
