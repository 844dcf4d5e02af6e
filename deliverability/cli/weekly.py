"""`deliverability weekly`: die Wochenanalysen in einem Lauf."""

from __future__ import annotations

import argparse

from deliverability import config
from deliverability.cli.options import (
    engine_options,
    export_formats,
    rules_option,
    settings_options,
)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "weekly",
        help="Die Wochenanalysen in einem Lauf: Raten, Sperrliste, Versandlimits (auch auf Spark)",
        description="Liest die Ereignisse einmal und schreibt in den Ordner --out: Raten je "
        "Domain und je Anbieter (raten_domains.csv, raten_anbieter.csv), mit --state die "
        "fortgeschriebene Sperrliste und ihren Export (sperrliste.csv), mit --profile das "
        "Nachspielen aller Absenderkonten gegen die Versandlimits (versandlimits.csv, "
        "versandlimits_tage.csv) und die nicht verwendbaren Zeilen (abgelehnte_zeilen.csv). "
        "Mit --engine spark rechnet ein Spark-Cluster dieselben Dateien.",
    )
    parser.add_argument(
        "events",
        nargs="+",
        metavar="EREIGNISSE",
        help="Exporte jeder Quelle (mit --engine spark auch Ordner, Globs und URIs wie s3a://…)",
    )
    parser.add_argument("--out", required=True, metavar="ORDNER", help="Ausgabeordner")
    parser.add_argument("--week", metavar="JJJJ-Www", help="ISO-Woche (Standard: die letzte)")
    parser.add_argument(
        "--timezone", default=config.DEFAULT_TIMEZONE, metavar="ZONE", help="Zeitzone für Wochen"
    )
    parser.add_argument("--state", metavar="ORDNER", help="Ordner der Sperrliste (fortschreiben)")
    parser.add_argument(
        "--format",
        default="generic",
        choices=export_formats(),
        metavar="FORMAT",
        help="Importformat des Sperrlisten-Exports: %(choices)s (Standard: %(default)s)",
    )
    parser.add_argument("--policy", metavar="DATEI", help="eigene Sperrregeln (TOML)")
    parser.add_argument(
        "--profile", metavar="NAME|DATEI", help="Limitprofil für das Nachspielen (siehe profiles)"
    )
    engine_options(parser)
    rules_option(parser)
    settings_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.weekly_cli import run_weekly

    return run_weekly(
        inputs=args.events,
        out=args.out,
        week=args.week,
        timezone=args.timezone,
        state_dir=args.state,
        export_format=args.format,
        policy_file=args.policy,
        profile_name=args.profile,
        engine=args.engine,
        spark_master=args.spark_master,
        settings_file=args.settings,
        policy_change=args.policy_change,
    )
