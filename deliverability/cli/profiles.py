"""`deliverability profiles`: Limitprofile anzeigen."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "profiles",
        help="Vorlagen der Versandlimits mit Regeln und Quellen anzeigen",
        description="Listet die mitgelieferten Limitprofile; mit NAME ein Profil mit Quellen.",
    )
    parser.add_argument("name", nargs="?", metavar="NAME")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.limits.cli import run_profiles

    return run_profiles(name=args.name)
