"""`deliverability suppress`: Sperrliste fortschreiben und exportieren."""

from __future__ import annotations

import argparse

from deliverability.cli.options import (
    engine_options,
    export_formats,
    rules_option,
    settings_options,
)


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "suppress",
        help="Sperrliste aus Ereignissen fortschreiben und für ein Zielsystem exportieren",
        description="Liest Ereignisdateien, schreibt die Sperrliste im Ordner --state fort "
        "(Hardbounces, fünf Softbounces in Folge, Beschwerden, Abmeldungen; Freigaben bleiben "
        "erhalten) und exportiert die gesperrten Adressen im Importformat des Zielsystems. "
        "Ein erneuter Lauf mit denselben Dateien ändert nichts.",
    )
    parser.add_argument("events", nargs="*", metavar="EREIGNISDATEI", help="CSV-Dateien (auch .gz)")
    parser.add_argument("--state", required=True, metavar="ORDNER", help="Ordner der Sperrliste")
    parser.add_argument(
        "--format",
        default="generic",
        choices=export_formats(),
        metavar="FORMAT",
        help="Importformat des Zielsystems: %(choices)s (Standard: %(default)s)",
    )
    parser.add_argument(
        "--since-last",
        action="store_true",
        help="nur Adressen, die seit dem letzten Export dieses Formats gesperrt wurden",
    )
    parser.add_argument(
        "--excel", action="store_true", help="CSV für deutsches Excel: Semikolon, UTF-8 mit BOM"
    )
    parser.add_argument("--out", metavar="DATEI", help="Exportdatei")
    parser.add_argument(
        "--policy",
        metavar="DATEI",
        help="eigene Sperrregeln (TOML, siehe Dokumentation: Sperrliste)",
    )
    parser.add_argument("--add", metavar="ADRESSE", help="Adresse manuell sperren (mit --reason)")
    parser.add_argument("--reason", metavar="TEXT", help="Grund der manuellen Sperre")
    parser.add_argument("--by", metavar="NAME", help="wer sperrt (Standard: Benutzername)")
    engine_options(parser)
    rules_option(parser)
    settings_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.suppression.cli import run_suppress

    return run_suppress(
        events=args.events,
        state_dir=args.state,
        out=args.out,
        fmt=args.format,
        since_last=args.since_last,
        excel=args.excel,
        policy_file=args.policy,
        add=args.add,
        reason=args.reason,
        by=args.by,
        engine=args.engine,
        spark_master=args.spark_master,
        settings_file=args.settings,
        policy_change=args.policy_change,
    )
