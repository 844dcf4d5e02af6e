"""`deliverability check-sender`: Versanddomain prüfen (SPF, DMARC, DKIM, MX)."""

from __future__ import annotations

import argparse


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "check-sender",
        help="SPF, DMARC, DKIM, MX und Absender-Ausrichtung einer Versanddomain prüfen",
        description="Prüft per DNS je Domain: SPF (Eintrag, Syntax, all-Qualifier, höchstens 10 "
        "DNS-Abfragen, Abfragen ohne Ergebnis), DMARC (_dmarc.DOMAIN: p, sp, pct, rua), DKIM für "
        "die angegebenen Selektoren, MX/Null-MX und – mit --from – ob die Absenderdomain zur "
        "Versanddomain passt. Gibt je Domain einen Datensatz mit deutschen Befunden aus.",
    )
    parser.add_argument("domains", nargs="+", metavar="DOMAIN")
    parser.add_argument(
        "--dkim-selector",
        action="append",
        default=[],
        metavar="SELEKTOR",
        help="DKIM-Selektor (mehrfach möglich), z. B. google, s1, mj",
    )
    parser.add_argument("--from", dest="from_address", metavar="ADRESSE", help="Absenderadresse")
    parser.add_argument("--nameserver", metavar="HOST:PORT", help="DNS-Server (Standard: System)")
    parser.add_argument(
        "--format", choices=["json", "csv"], default="json", help="Ausgabe (Standard: json)"
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.senderauth.cli import run_check_sender

    return run_check_sender(
        domains=args.domains,
        selectors=args.dkim_selector,
        from_address=args.from_address,
        nameserver=args.nameserver,
        fmt=args.format,
    )
