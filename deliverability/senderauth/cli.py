"""`deliverability check-sender`: one record per domain, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
import sys

from deliverability.cells import neutral_cell
from deliverability.lookup.records import DnsReader
from deliverability.senderauth.check import as_record, check_sender

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


def run_check_sender(
    domains: list[str],
    selectors: list[str],
    from_address: str | None,
    nameserver: str | None,
    fmt: str,
) -> int:
    reader = DnsReader(nameserver)
    records = [as_record(check_sender(d, reader, selectors, from_address)) for d in domains]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        for record in records:
            row = []
            for name in FIELDS:
                value = record[name]
                if isinstance(value, list):
                    value = ", ".join(value)
                elif isinstance(value, bool):
                    value = "ja" if value else "nein"
                row.append(neutral_cell("" if value is None else str(value)))
            writer.writerow(row)
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
    return 0
