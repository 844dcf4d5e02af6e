"""`deliverability validate`: Adressliste vor dem Import prüfen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from deliverability.cli import values
from deliverability.cli.options import csv_option, nameserver_option, xlsx_option

if TYPE_CHECKING:
    import polars as pl


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "validate",
        help="Adressliste vor dem Import prüfen (Syntax, Tippfehler, DNS, Wegwerf- und Funktionsadressen)",
        description="Prüft jede Adresse einer CSV-Datei und schreibt in den Ausgabeordner: results.csv "
        "(alle Zeilen mit Ergebnis, Grund und Vorschlag; mit --csv standard die Spalten status, "
        "reason, reason_text, suggestion), clean.csv (zum Import, nur Adressen in Ordnung, im "
        "Aufbau der Eingabe) und held_back.csv (zurückgehaltene Adressen mit Grund). "
        "Eine DNS-Zeitüberschreitung macht eine Adresse nie ungültig, nur „unklar“.",
    )
    parser.add_argument("file", metavar="DATEI", help="CSV-Datei mit Adressen (auch .gz)")
    parser.add_argument(
        "--column", metavar="SPALTE", help="Spalte mit der Adresse (Standard: email, E-Mail …)"
    )
    nameserver_option(parser)
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
        type=values.timeout_seconds,
        default=3.0,
        metavar="SEKUNDEN",
        help="Zeitlimit je DNS-Abfrage, höchstens 60 (Standard: 3)",
    )
    csv_option(parser)
    xlsx_option(parser, "pruefung.xlsx im Ausgabeordner: Ergebnisse und zurückgehaltene Zeilen")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import polars as pl

    from deliverability.cli.console import warn
    from deliverability.cli.progress import progress
    from deliverability.export import check_output
    from deliverability.validate.check import summary
    from deliverability.validate.job import validate_file
    from deliverability.views import format as fmt

    check_output(Path(args.out), folder=True)
    with progress("DNS-Prüfung", "Domains") as advance:
        run = validate_file(
            args.file,
            args.out,
            column=args.column,
            nameserver=args.nameserver,
            suppression_state=args.suppression_state,
            include_risky=args.include_risky,
            apply_suggestions=args.apply_suggestions,
            dns=not args.no_dns,
            timeout=args.timeout,
            progress=lambda done, total: advance(done, total, 0),
            form=args.csv,
        )
    warn(run.dns_warning())
    print(
        f"{fmt.number(run.results.height)} Adressen geprüft: {fmt.number(run.count('ok'))} in "
        f"Ordnung, {fmt.number(run.count('risky'))} riskant, "
        f"{fmt.number(run.count('invalid'))} ungültig, "
        f"{fmt.number(run.count('unknown'))} unklar (DNS)."
    )
    for row in summary(run.results).filter(pl.col("status") != "ok").head(10).iter_rows(named=True):
        print(f"  {fmt.number(row['addresses']):>8}  {row['reason_text']}")
    files = run.files
    print(
        f"Ergebnisse: {files.results}\n"
        f"Importdatei: {files.clean} ({fmt.number(files.clean_rows)} Zeilen)\n"
        f"Zurückgehalten: {files.held_back} ({fmt.number(files.held_back_rows)} Zeilen)"
    )
    if args.xlsx:
        from deliverability.cli.outputs import write_workbook

        separator = ";" if args.csv == "excel" else run.addresses.delimiter
        sheets = {
            "Ergebnisse": _read_back(files.results, separator),
            "Zurückgehalten": _read_back(files.held_back, separator),
        }
        write_workbook(sheets, Path(args.out) / "pruefung.xlsx")
    return 0


def _read_back(path: Path, separator: str) -> pl.DataFrame:
    """A CSV file the validation wrote, as text columns for a workbook sheet (the input's
    columns are text; nothing is re-interpreted)."""
    import polars as pl

    return pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8-lossy")
