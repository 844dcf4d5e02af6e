"""`deliverability validate`: Adressliste vor dem Import prüfen."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "validate",
        help="Adressliste vor dem Import prüfen (Syntax, Tippfehler, DNS, Wegwerf- und Funktionsadressen)",
        description="Prüft jede Adresse einer CSV-Datei und schreibt in den Ausgabeordner: results.csv "
        "(alle Zeilen mit status, reason, reason_text, suggestion), clean.csv (zum Import, "
        "nur Adressen in Ordnung) und held_back.csv (zurückgehaltene Adressen mit Grund). "
        "Eine DNS-Zeitüberschreitung macht eine Adresse nie ungültig, nur „unklar“.",
    )
    parser.add_argument("file", metavar="DATEI", help="CSV-Datei mit Adressen (auch .gz)")
    parser.add_argument(
        "--column", metavar="SPALTE", help="Spalte mit der Adresse (Standard: email, E-Mail …)"
    )
    parser.add_argument(
        "--nameserver", metavar="HOST:PORT", help="DNS-Server (Standard: der des Systems)"
    )
    parser.add_argument(
        "--suppression-state",
        metavar="ORDNER",
        help="Ordner der Sperrliste: gesperrte Adressen zurückhalten",
    )
    parser.add_argument("--out", required=True, metavar="ORDNER", help="Ausgabeordner")
    parser.add_argument(
        "--include-risky",
        action="store_true",
        help="riskante Adressen (Rollen-, Wegwerfadressen …) mit in clean.csv",
    )
    parser.add_argument(
        "--apply-suggestions",
        action="store_true",
        help="Tippfehler-Vorschläge in clean.csv übernehmen (Original in eigener Spalte)",
    )
    parser.add_argument("--no-dns", action="store_true", help="ohne DNS-Prüfung")
    parser.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        metavar="SEKUNDEN",
        help="Zeitlimit je DNS-Abfrage (Standard: 3)",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.validate.cli import run_validate

    return run_validate(
        file=args.file,
        column=args.column,
        nameserver=args.nameserver,
        suppression_state=args.suppression_state,
        out=args.out,
        include_risky=args.include_risky,
        apply_suggestions=args.apply_suggestions,
        dns=not args.no_dns,
        timeout=args.timeout,
    )
