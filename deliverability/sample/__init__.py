"""The generator of the bundled sample data and of the benchmarks' data sets.

Deterministic: the same seed gives the same files, byte for byte (a test regenerates the
committed sample). `events` writes four weeks of a B2B sender's events as the exports of
several systems would; `bounces` writes the last sample week's bounce mailbox.
"""

from __future__ import annotations

from deliverability.sample.bounces import write_bounce_sample
from deliverability.sample.events import write_sample

__all__ = ["write_bounce_sample", "write_sample"]
