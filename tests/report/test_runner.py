"""The report job's own set-up of the processes it starts."""

from __future__ import annotations

import os
import subprocess
import sys

import polars as pl

from deliverability.report.runner import KERNEL_ALLOCATOR, allocate_for_kernel


def test_the_kernel_hands_freed_memory_back_at_once_although_polars_set_its_default(
    monkeypatch,
):
    """Importing polars writes its allocator default (half a second's delay) into the
    environment; the kernel must still get the report's setting, or the report keeps about
    a quarter of a gigabyte more on 5 million events."""
    name = KERNEL_ALLOCATOR[0]
    assert pl is not None and name in os.environ  # polars has put its default there
    monkeypatch.setenv(name, os.environ[name])  # restored after the test
    allocate_for_kernel()
    shown = subprocess.run(
        [sys.executable, "-c", f"import os, polars; print(os.environ['{name}'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    in_force = dict(part.split(":", 1) for part in shown.split(","))  # the last one counts
    wanted = dict(part.split(":", 1) for part in KERNEL_ALLOCATOR[1].split(","))
    assert {name: in_force[name] for name in wanted} == wanted
    assert wanted["dirty_decay_ms"] != "500"  # not polars' default
