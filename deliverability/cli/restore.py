"""`deliverability restore`: eine gesperrte Adresse freigeben."""

from __future__ import annotations

import argparse

from deliverability.cli.options import settings_options


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "restore",
        help="eine gesperrte Adresse mit schriftlichem Grund wieder freigeben",
        description="Gibt eine gesperrte Adresse frei. Der Grund wird mit Zeit und Person im "
        "Verlauf (verlauf.csv) gespeichert. Bounct die Adresse danach wieder hart, wird sie "
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
    from deliverability.suppression.cli import run_restore

    return run_restore(
        address=args.address,
        state_dir=args.state,
        reason=args.reason,
        by=args.by,
        policy_file=args.policy,
        settings_file=args.settings,
        policy_change=args.policy_change,
    )
