"""`deliverability validate`: check an address list before import (German messages)."""

from __future__ import annotations

import sys
import time

import polars as pl

from deliverability.report import format as fmt
from deliverability.validate.check import summary
from deliverability.validate.job import validate_file


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
    run = validate_file(
        file,
        out,
        column=column,
        nameserver=nameserver,
        suppression_state=suppression_state,
        include_risky=include_risky,
        apply_suggestions=apply_suggestions,
        dns=dns,
        timeout=timeout,
        progress=Progress(),
    )
    print(
        f"{fmt.number(run.results.height)} Adressen geprüft: {fmt.number(run.count('ok'))} in "
        f"Ordnung, {fmt.number(run.count('risky'))} riskant, "
        f"{fmt.number(run.count('invalid'))} ungültig, "
        f"{fmt.number(run.count('unknown'))} unklar (DNS)."
    )
    for row in summary(run.results).filter(pl.col("status") != "ok").head(10).iter_rows(named=True):
        print(f"  {fmt.number(row['addresses']):>8}  {row['reason_text']}")
    files = run.files
    print(
        f"Ergebnisse: {files.results}\n"
        f"Importdatei: {files.clean} ({fmt.number(files.clean_rows)} Zeilen)\n"
        f"Zurückgehalten: {files.held_back} ({fmt.number(files.held_back_rows)} Zeilen)"
    )
    return 0
