"""One validation run: read an address list, check it, write the three result files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from deliverability.lookup.health import ResolverHealth, resolver_health
from deliverability.people_csv import CsvForm
from deliverability.validate.check import CheckOptions, check_addresses
from deliverability.validate.files import (
    AddressList,
    ResultFiles,
    read_address_list,
    write_results,
)


@dataclass(frozen=True)
class ValidationRun:
    """What a run read, what it found and where it wrote the files."""

    addresses: AddressList
    results: pl.DataFrame
    files: ResultFiles
    resolver: ResolverHealth | None = None  # None: checked without DNS

    def dns_warning(self) -> str | None:
        """The German warning when the DNS resolver failed or lied (then no DNS verdicts)."""
        return self.resolver.warning() if self.resolver else None

    def count(self, status: str) -> int:
        return self.results.filter(pl.col("status") == status).height


def suppressed_addresses(state_dir: str | Path | None) -> frozenset[str]:
    """Addresses with status `suppressed` in a suppression state directory (empty when none)."""
    if not state_dir:
        return frozenset()
    from deliverability.suppression.store import StateDir

    store = StateDir(Path(state_dir))
    store.require_existing()  # a mistyped folder must not pass every address as clean
    with store.changing():  # after an interrupted run: finished or rolled back first
        state = store.state()
    if state is None:
        return frozenset()
    suppressed = state.filter(pl.col("status") == "suppressed").get_column("address")
    return frozenset(suppressed.to_list())


def validate_file(
    file: str | Path,
    out_dir: str | Path,
    *,
    column: str | None = None,
    nameserver: str | None = None,
    suppression_state: str | Path | None = None,
    include_risky: bool = False,
    apply_suggestions: bool = False,
    dns: bool = True,
    timeout: float = 3.0,
    progress: Callable[[int, int], None] | None = None,
    form: CsvForm = "excel",
) -> ValidationRun:
    """Check every address of `file` and write results.csv, clean.csv and held_back.csv
    (results and held-back rows in `form`; clean.csv in the input's layout, for import)."""
    addresses = read_address_list(Path(file), column)
    suppressed = suppressed_addresses(suppression_state)
    resolver = resolver_health(nameserver or None, timeout=timeout) if dns else None
    options = CheckOptions(
        dns=dns,
        nameserver=nameserver or None,
        timeout=timeout,
        suppressed=suppressed,
        resolver=resolver,
    )
    results = check_addresses(addresses.emails, options, progress=progress, ragged=addresses.ragged)
    files = write_results(
        addresses,
        results,
        Path(out_dir),
        include_risky=include_risky,
        apply_suggestions=apply_suggestions,
        form=form,
    )
    return ValidationRun(addresses, results, files, resolver)
