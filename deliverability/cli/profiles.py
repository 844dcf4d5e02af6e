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
    """List presets with their rules and sources (one profile in full with NAME)."""
    from deliverability.limits.profile import load_profile, preset_names

    names = [args.name] if args.name else preset_names()
    for key in names:
        profile = load_profile(key)
        print(f"{key}: {profile.name}")
        if profile.description:
            print(f"    {profile.description}")
        for rule in profile.rules:
            marker = " [Annahme]" if rule.assumption else ""
            print(f"  - {rule.label} → {rule.action_text}{marker}")
            if args.name:
                if rule.note:
                    print(f"      {rule.note}")
                print(f"      Quelle: {rule.source} (geprüft {rule.checked})")
    if not args.name:
        print("\nDetails und Quellen: deliverability profiles NAME")
    return 0
