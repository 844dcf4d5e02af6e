"""`deliverability check-sender`: Versanddomain prüfen (SPF, DMARC, DKIM, MX)."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from deliverability.cli.options import nameserver_option


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
    nameserver_option(parser)
    parser.add_argument(
        "--format", choices=["json", "csv"], default="json", help="Ausgabe (Standard: json)"
    )
    parser.set_defaults(run=run)
    return parser


#: The columns of `--format csv`, one row per domain.
FIELDS = (
    "domain",
    "spf_record",
    "spf_status",
    "spf_lookups",
    "dmarc_record",
    "dmarc_policy",
    "dkim",
    "mx",
    "aligned",
    "findings",
)


def _csv_cell(value: object) -> str:
    from deliverability.cells import neutral_cell

    if isinstance(value, list):
        value = ", ".join(value)
    elif isinstance(value, bool):
        value = "ja" if value else "nein"
    return neutral_cell("" if value is None else str(value))


def run(args: argparse.Namespace) -> int:
    from deliverability.cli.console import warn
    from deliverability.lookup.records import DnsReader
    from deliverability.senderauth.check import as_record, check_sender

    reader = DnsReader(args.nameserver)
    warn(reader.health.warning())
    records = [
        as_record(check_sender(domain, reader, args.dkim_selector, args.from_address))
        for domain in args.domains
    ]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows([_csv_cell(record[name]) for name in FIELDS] for record in records)
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
    return 0
