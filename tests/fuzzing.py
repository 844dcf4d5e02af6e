"""Shared pieces of the fuzz suite (the tests marked `fuzz`): how many examples, mutations of valid files, and the
guard every example runs under (no exception outside the error family, no hang, bounded
memory).

`./dev test` runs 150 fixed examples per target (minutes in all); the long run
(`benchmarks/fuzz_long.py`) sets DELIVERABILITY_FUZZ_EXAMPLES to thousands.
"""

from __future__ import annotations

import gzip
import os
import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from deliverability.errors import DeliverabilityError

T = TypeVar("T")

EXAMPLES = int(os.environ.get("DELIVERABILITY_FUZZ_EXAMPLES", "150"))

#: One example may take this long before it counts as a hang (the largest inputs here are a
#: few hundred KiB; a linear parser needs well under a second).
HANG_SECONDS = 30

#: Peak memory of the test process that counts as unbounded (polars, pandas and the
#: notebooks' libraries loaded take about 0.6 GiB).
MEMORY_LIMIT_BYTES = 3 * 1024**3

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the guard's alarm is the bound; cold caches make first examples slow
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,  # no example files left behind in a fresh clone
    derandomize=os.environ.get("DELIVERABILITY_FUZZ_RANDOM") is None,
)


class Hang(Exception):
    """An example ran longer than HANG_SECONDS."""


@contextmanager
def _alarm(seconds: int) -> Iterator[None]:
    def ring(_signal: int, _frame: object) -> None:
        raise Hang(f"länger als {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def guarded(call: Callable[[], T]) -> T | DeliverabilityError:
    """`call()`'s result, or the family error it raised (which must be one German sentence
    without a traceback); any other exception, a hang or unbounded memory fails the test."""
    with _alarm(HANG_SECONDS):
        try:
            result: T | DeliverabilityError = call()
        except DeliverabilityError as error:
            message = str(error)
            assert message.strip(), "a family error without a message"
            assert "Traceback" not in message and 'File "' not in message
            result = error
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < MEMORY_LIMIT_BYTES, f"peak memory {peak / 1024**3:.1f} GiB"
    return result


# --- inputs -----------------------------------------------------------------------------

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"

#: Bytes that matter to the formats: delimiters, quotes, line ends, brackets, MIME and
#: TOML syntax, a NUL, an invalid UTF-8 lead byte, a BOM.
SPECIAL = [
    b",", b";", b"\t", b"|", b'"', b"'", b"\n", b"\r\n", b"\r", b"{", b"}", b"[", b"]",
    b":", b"=", b"--", b"@", b"<", b">", b"\x00", b"\xc3", b"\xff", b"\xef\xbb\xbf",
    b"Content-Type: multipart/mixed; boundary=x\n", b"5.1.1", b"550", b"1e400", b"-1",
    b"99999999999999999999", b"NaN", b"9999-12-31T23:59:59Z", b"0001-01-01",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """A near-valid variant of `base`: one to four cuts, insertions, byte flips, repeated
    lines or truncations at drawn positions."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["cut", "insert", "flip", "repeat", "truncate"]))
        if operation == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        elif operation == "insert":
            piece = draw(st.sampled_from(SPECIAL) | st.binary(min_size=1, max_size=16))
            data[position:position] = piece
        elif operation == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif operation == "repeat":
            start = data.rfind(b"\n", 0, position) + 1
            end = data.find(b"\n", position)
            line = bytes(data[start : (end if end >= 0 else len(data))]) + b"\n"
            data[start:start] = line * draw(st.integers(1, 3))
        elif operation == "truncate":
            del data[position:]
    return bytes(data)


def arbitrary_or_mutated(bases: list[bytes]) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes (also empty), or a mutation of one of `bases`."""
    return st.binary(max_size=2048) | st.sampled_from(bases).flatmap(mutated)


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)
