"""`deliverability restore`: eine gesperrte Adresse freigeben."""

from __future__ import annotations

import argparse
from pathlib import Path

from deliverability.cli.options import settings_options


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "restore",
        help="eine gesperrte Adresse mit schriftlichem Grund wieder freigeben",
        description="Gibt eine gesperrte Adresse frei. Der Grund wird mit Zeit und Person im "
        "Verlauf (verlauf.csv) gespeichert. Kommt danach wieder ein Hardbounce, wird die Adresse "
        "erneut gesperrt.",
    )
    parser.add_argument("address", metavar="ADRESSE")
    parser.add_argument("--state", required=True, metavar="ORDNER", help="Ordner der Sperrliste")
    parser.add_argument(
        "--reason", required=True, metavar="TEXT", help="warum die Sperre aufgehoben wird"
    )
    parser.add_argument("--by", metavar="NAME", help="wer freigibt (Standard: Benutzername)")
    parser.add_argument("--policy", metavar="DATEI", help="eigene Sperrregeln (TOML)")
    settings_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    import polars as pl

    from deliverability.cli.outputs import suppression_summary
    from deliverability.errors import ConfigError
    from deliverability.export import check_output
    from deliverability.settings import load_settings, suppression_policy
    from deliverability.suppression.addresses import normalize_address
    from deliverability.suppression.store import StateDir
    from deliverability.taxonomy.labels import status_labels

    store = StateDir(Path(args.state))
    store.require_existing()
    check_output(store.path, folder=True)
    policy = suppression_policy(load_settings(args.settings), args.policy)
    store.check_policy(policy, args.policy_change)  # before anything changes
    # one transaction: the check, the history line and the new list together (a refusal
    # leaves the folder as it was, and no other run changes the list in between)
    with store.changing():
        state = store.current_state(policy)
        row = state.filter(pl.col("address") == normalize_address(args.address))
        if row.is_empty() or row["status"][0] != "suppressed":
            shown = (
                "nicht auf der Sperrliste"
                if row.is_empty()
                else status_labels().get(row["status"][0], row["status"][0])
            )
            raise ConfigError(f"{args.address} ist {shown}; es gibt nichts freizugeben.")
        store.record("restore", args.address, args.reason, args.by)
        state = store.rebuild(policy)
    print(f"Freigegeben: {args.address} (Grund: {args.reason.strip()}).")
    print(f"Sperrliste in {store.path}: {suppression_summary(state)}.")
    return 0
