"""`deliverability providers`: domain, provider and MX hosts as CSV."""

from __future__ import annotations

import csv
import sys

from deliverability.cells import neutral_cell
from deliverability.senderauth.mx_providers import providers_by_mx


def run_providers(domains: list[str], nameserver: str | None) -> int:
    found = providers_by_mx(domains, nameserver)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["domain", "provider", "mx"])
    for domain in sorted(found):
        entry = found[domain]
        writer.writerow(
            [neutral_cell(domain), neutral_cell(entry.provider), neutral_cell(" ".join(entry.mx))]
        )
    return 0
