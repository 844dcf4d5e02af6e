"""`deliverability suppress`: Sperrliste fortschreiben und exportieren."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

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
    from deliverability.cli.outputs import suppression_summary
    from deliverability.cli.progress import loading
    from deliverability.config import DEFAULT_TIMEZONE
    from deliverability.errors import ConfigError
    from deliverability.export import check_output
    from deliverability.pipeline.engines import engine_named
    from deliverability.pipeline.jobs import suppression_run
    from deliverability.settings import load_settings, suppression_policy
    from deliverability.suppression.exports import FORMATS, write_export
    from deliverability.suppression.store import StateDir

    store = StateDir(Path(args.state))
    check_output(store.path, folder=True)
    if args.out:
        check_output(Path(args.out))
    policy = suppression_policy(load_settings(args.settings), args.policy)
    if not args.out and not args.add:
        raise ConfigError("Bitte mit --out angeben, wohin der Export geschrieben wird.")
    store.check_policy(policy, args.policy_change)  # before anything changes
    exported = None
    # one transaction: the manual entry, the events, the new list and the export mark change
    # together, and only once the export is written (a failed export leaves the state as it was)
    with store.changing():
        if args.add:
            store.record("add", args.add, args.reason or "", args.by)
        with loading() as advance:
            engine = engine_named(args.engine, args.spark_master, advance)
            result = suppression_run(engine, args.events, store, policy, timezone=DEFAULT_TIMEZONE)
        if args.out:
            now = datetime.now(UTC)
            since = store.last_exports().get(args.format) if args.since_last else None
            exported = write_export(
                result.state, args.format, Path(args.out), since=since, excel=args.excel
            )
            store.mark_exported(args.format, now)
    if args.add:
        print(f"Manuell gesperrt: {args.add} (Grund: {args.reason})")
    if result.rejects.height:
        print(f"{result.rejects.height} Eingabezeilen abgelehnt (siehe `deliverability report`).")
    print(f"Sperrliste in {store.path}: {suppression_summary(result.state)}.")
    if exported is not None:
        path, rows = exported
        scope = "neu seit dem letzten Export" if args.since_last else "insgesamt"
        print(f"Export {FORMATS[args.format].title}: {rows} Adressen ({scope}) in {path}")
    return 0
