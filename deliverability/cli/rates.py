"""`deliverability rates`: Raten einer Woche je Domain oder Anbieter."""

from __future__ import annotations

import argparse
from pathlib import Path

from deliverability.cli.options import (
    csv_option,
    engine_options,
    rules_option,
    timezone_option,
    xlsx_option,
)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "rates",
        help="Bounce- und Zustellraten einer Woche je Domain oder Anbieter als CSV",
        description="Rechnet je Empfängerdomain oder Anbieter die Raten einer Woche "
        "(versendet, zugestellt, hart, weich, Bounce-Rate mit 95-%%-Intervall nach Wilson, "
        "Vergleich zur Vorwoche) und schreibt sie als CSV.",
    )
    parser.add_argument("events", nargs="+", metavar="EREIGNISSE", help="Exporte jeder Quelle")
    parser.add_argument("--by", choices=["domain", "provider"], default="domain")
    parser.add_argument(
        "--week",
        metavar="WOCHE",
        help="Kalenderwoche, z. B. 2026-W47 oder KW 47/2026 (Standard: die letzte)",
    )
    parser.add_argument("--out", required=True, metavar="DATEI.csv", help="Ausgabedatei")
    timezone_option(parser, "Wochen")
    csv_option(parser)
    xlsx_option(parser, "gleicher Name wie --out, Endung .xlsx")
    engine_options(parser)
    rules_option(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.cli.outputs import rates_sheet, write_rates, write_workbook
    from deliverability.cli.progress import loading
    from deliverability.export import check_output
    from deliverability.pipeline.engines import engine_named
    from deliverability.pipeline.jobs import weekly_run
    from deliverability.views import format as fmt

    check_output(Path(args.out))
    with loading() as advance:
        engine = engine_named(args.engine, args.spark_master, advance)
        result = weekly_run(
            engine, args.events, week=args.week, timezone=args.timezone, groups=[args.by]
        )
    target = Path(args.out)
    write_rates(result.rates[args.by], args.by, result.week, target, args.timezone, args.csv)
    if args.xlsx:
        sheet = rates_sheet(result.rates[args.by], args.by, result.week, args.timezone)
        write_workbook(sheet, target.with_suffix(".xlsx"))
    if result.rejects.height:
        print(f"{fmt.number(result.rejects.height)} Eingabezeilen nicht verwendbar (siehe `load`).")
    return 0
