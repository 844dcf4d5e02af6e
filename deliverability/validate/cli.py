"""`deliverability validate`: check an address list before import (German messages)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import polars as pl

from deliverability.report import format as fmt
from deliverability.validate.check import CheckOptions, check_addresses, summary
from deliverability.validate.files import read_address_list, write_results


class Progress:
    """A one-line progress display on stderr for long DNS runs (at most twice a second)."""

    def __init__(self, minimum: int = 500) -> None:
        self.minimum = minimum
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if total < self.minimum or (now - self.last < 0.5 and done < total):
            return
        self.last = now
        share = done / total if total else 1
        bar = "#" * int(share * 30)
        print(
            f"\rDNS-Prüfung [{bar:<30}] {fmt.number(done)}/{fmt.number(total)} Domains",
            end="\n" if done >= total else "",
            file=sys.stderr,
        )


def suppressed_addresses(state_dir: str | None) -> frozenset[str]:
    if not state_dir:
        return frozenset()
    from deliverability.suppression.store import StateDir

    state = StateDir(Path(state_dir)).state()
    if state is None:
        return frozenset()
    return frozenset(state.filter(pl.col("status") == "suppressed").get_column("address").to_list())


def run_validate(
    file: str,
    column: str | None,
    nameserver: str | None,
    suppression_state: str | None,
    out: str,
    *,
    include_risky: bool = False,
    apply_suggestions: bool = False,
    dns: bool = True,
    timeout: float = 3.0,
) -> int:
    addresses = read_address_list(Path(file), column)
    options = CheckOptions(
        dns=dns,
        nameserver=nameserver,
        timeout=timeout,
        suppressed=suppressed_addresses(suppression_state),
    )
    results = check_addresses(addresses.emails, options, progress=Progress())
    paths = write_results(
        addresses,
        results,
        Path(out),
        include_risky=include_risky,
        apply_suggestions=apply_suggestions,
    )
    counts = dict(results.group_by("status").len().iter_rows())
    print(
        f"{fmt.number(results.height)} Adressen geprüft: {fmt.number(counts.get('ok', 0))} in "
        f"Ordnung, {fmt.number(counts.get('risky', 0))} riskant, "
        f"{fmt.number(counts.get('invalid', 0))} ungültig, "
        f"{fmt.number(counts.get('unknown', 0))} unklar (DNS)."
    )
    for row in summary(results).filter(pl.col("status") != "ok").head(10).iter_rows(named=True):
        print(f"  {fmt.number(row['addresses']):>8}  {row['reason_text']}")
    print(
        f"Ergebnisse: {paths['results']}\nImportdatei: {paths['clean']}\nZurückgehalten: {paths['held_back']}"
    )
    return 0
