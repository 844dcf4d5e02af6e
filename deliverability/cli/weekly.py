"""`deliverability weekly`: die Wochenanalysen in einem Lauf."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from deliverability.cli.options import (
    csv_option,
    engine_options,
    export_formats,
    rules_option,
    settings_options,
    timezone_option,
    xlsx_option,
)

if TYPE_CHECKING:
    import polars as pl


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
    parser.add_argument(
        "--week",
        metavar="WOCHE",
        help="Kalenderwoche, z. B. 2026-W47 oder KW 47/2026 (Standard: die letzte)",
    )
    timezone_option(parser, "Wochen")
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
    csv_option(parser)
    xlsx_option(parser, "woche.xlsx im Ausgabeordner: Raten, Versandlimits, abgelehnte Zeilen")
    engine_options(parser)
    rules_option(parser)
    settings_options(parser)
    parser.set_defaults(run=run)
    return parser


#: The files a weekly run writes into its folder.
RATES_FILES = {"domain": "raten_domains.csv", "provider": "raten_anbieter.csv"}
SUPPRESSION_FILE = "sperrliste.csv"
REPLAY_FILE = "versandlimits.csv"
REJECTS_FILE = "abgelehnte_zeilen.csv"
WORKBOOK_FILE = "woche.xlsx"


def run(args: argparse.Namespace) -> int:
    from deliverability.cli.outputs import (
        rates_sheet,
        replay_sheets,
        write_rates,
        write_rejects,
        write_replay,
        write_workbook,
    )
    from deliverability.cli.progress import loading
    from deliverability.export import check_output
    from deliverability.people_csv import for_workbook
    from deliverability.pipeline.engines import engine_named
    from deliverability.pipeline.jobs import weekly_run
    from deliverability.settings import load_settings, suppression_policy
    from deliverability.suppression.exports import FORMATS, write_export
    from deliverability.suppression.store import StateDir

    policy = suppression_policy(load_settings(args.settings), args.policy)
    folder = check_output(Path(args.out), folder=True)
    store = StateDir(check_output(Path(args.state), folder=True)) if args.state else None
    with loading() as advance:
        result = weekly_run(
            engine_named(args.engine, args.spark_master, advance),
            args.events,
            week=args.week,
            timezone=args.timezone,
            store=store,
            policy=policy,
            profile_name=args.profile,
            policy_change=args.policy_change,
        )
    for by, table in result.rates.items():
        write_rates(table, by, result.week, folder / RATES_FILES[by], args.timezone, args.csv)
    if result.state is not None and store is not None:
        path, rows = write_export(result.state, args.format, folder / SUPPRESSION_FILE)
        print(
            f"Sperrliste in {store.path} fortgeschrieben; Export "
            f"{FORMATS[args.format].title}: {rows} Adressen in {path}"
        )
    if result.replay is not None:
        write_replay(result.replay, folder / REPLAY_FILE, args.csv)
    write_rejects(result.rejects, folder / REJECTS_FILE, args.csv, args.timezone)
    if args.xlsx:
        sheets: dict[str, pl.DataFrame] = {}
        for by, table in result.rates.items():
            sheets |= rates_sheet(table, by, result.week, args.timezone)
        if result.replay is not None:
            sheets |= {
                f"Versandlimits {name}": sheet
                for name, sheet in replay_sheets(result.replay).items()
            }
        sheets["Abgelehnte Zeilen"] = for_workbook(result.rejects, args.timezone)
        write_workbook(sheets, folder / WORKBOOK_FILE)
    return 0
