"""`deliverability providers`: Anbieter an den MX-Einträgen erkennen."""

from __future__ import annotations

import argparse
import csv
import sys

from deliverability.cli.options import nameserver_option


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "providers",
        help="den tatsächlichen Anbieter von Domains an ihren MX-Einträgen erkennen",
        description="Schlägt die MX-Einträge der Domains nach (gleichzeitig, je Domain einmal) "
        "und ordnet sie einem Anbieter zu (Google Workspace, Microsoft 365, IONOS, Proofpoint …); "
        "Ausgabe als CSV mit domain, provider, mx.",
    )
    parser.add_argument("domains", nargs="+", metavar="DOMAIN")
    nameserver_option(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.cells import neutral_cell
    from deliverability.cli.console import warn
    from deliverability.lookup.health import resolver_health
    from deliverability.senderauth.mx_providers import providers_by_mx

    resolver = resolver_health(args.nameserver)
    warn(resolver.warning())
    found = providers_by_mx(args.domains, args.nameserver, resolver=resolver)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["domain", "provider", "mx"])
    for domain in sorted(found):
        entry = found[domain]
        writer.writerow(
            [neutral_cell(domain), neutral_cell(entry.provider), neutral_cell(" ".join(entry.mx))]
        )
    return 0
