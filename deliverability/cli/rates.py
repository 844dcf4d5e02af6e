"""`deliverability rates`: Raten einer Woche je Domain oder Anbieter."""

from __future__ import annotations

import argparse

from deliverability import config
from deliverability.cli.options import engine_options, rules_option


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "rates",
        help="Bounce- und Zustellraten einer Woche je Domain oder Anbieter als CSV",
        description="Rechnet je Empfängerdomain oder Mailbox-Anbieter die Raten einer Woche "
        "(versendet, zugestellt, hart, weich, Bounce-Rate mit 95-%%-Intervall nach Wilson, "
        "Vergleich zur Vorwoche) und schreibt sie als CSV.",
    )
    parser.add_argument("events", nargs="+", metavar="EREIGNISSE", help="Exporte jeder Quelle")
    parser.add_argument("--by", choices=["domain", "provider"], default="domain")
    parser.add_argument("--week", metavar="JJJJ-Www", help="ISO-Woche (Standard: die letzte)")
    parser.add_argument("--out", required=True, metavar="DATEI.csv", help="Ausgabedatei")
    parser.add_argument(
        "--timezone", default=config.DEFAULT_TIMEZONE, metavar="ZONE", help="Zeitzone für Wochen"
    )
    engine_options(parser)
    rules_option(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.rates_cli import run_rates

    return run_rates(
        inputs=args.events,
        by=args.by,
        week=args.week,
        out=args.out,
        timezone=args.timezone,
        engine=args.engine,
        spark_master=args.spark_master,
    )
