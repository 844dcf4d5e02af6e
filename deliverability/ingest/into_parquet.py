"""Generic CSV exports straight into one Parquet file, in one streaming pass (`deliverability
load`).

When every input is a generic CSV that the streaming loader reads (`fast_csv`: UTF-8, or
decoded from gzip and German Excel exports), the files are read, checked, classified
(`FailureMemory`, as `classify_in_stream`) and written in one polars streaming query.
Reading and writing overlap on every core, and only a few batches of rows are in memory
instead of all events. Rows in canonical shape (the fast lane) are written as they come;
the others are put aside and take the full checks afterwards (`slow_lane`). The file holds
what `load_events` would give:

- when rows of the slow lane pass the checks, or the written events are not in time order
  (files that overlap in time, equal times across line-number widths), the written events
  are read back, the good rows of the slow lane added file by file, and the whole put in
  order (`in_time_order`);
- when a file needs the eager loader after all (short rows, quoted line breaks, lines with
  too many fields, bytes that are not UTF-8), or the failures in a file's head mostly differ
  in their texts (`_texts_repeat`), the pass gives way: `load_into_parquet` returns None and
  the caller loads as usual.
"""

from __future__ import annotations

import bisect
import itertools
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from deliverability.addresses import normalize_domains
from deliverability.classify.streaming import INPUTS, MAX_RUNS, FailureMemory, key_to_classify
from deliverability.classify.vectorized import classify_frame
from deliverability.export import replace_atomic, write_parquet_atomic
from deliverability.ingest import in_time_order
from deliverability.ingest.fast_csv import (
    Sniffed,
    decoded_copy,
    exact_lines,
    fast_rows,
    irregular_lines,
    named_for,
    physical_lines_query,
    raw_rows,
    slow_lane,
    sniff,
)
from deliverability.ingest.generic_csv import FORMAT_NAME
from deliverability.ingest.result import FileProgress, FileStats
from deliverability.schema import FAILURE_EVENTS, REJECTS_SCHEMA, conform, empty_events

#: Marks the rows whose domain is not in ASCII (IDNA-encoded in the pass).
_NON_ASCII = "__non_ascii"


@dataclass(frozen=True)
class Written:
    """What went into the Parquet file: how many events, the rejected rows, the files."""

    events: int
    rejects: pl.DataFrame
    files: tuple[FileStats, ...]


@dataclass(frozen=True)
class _Batch:
    """The fast-lane rows of one batch, put in time order: where they start, how many,
    their first and last (time, reference) as `in_time_order` compares them."""

    first_line: int
    rows: int
    first: tuple[datetime, str]
    last: tuple[datetime, str]


@dataclass
class _Watch:
    """Sees every batch of one file's records as it passes: counts them, notes short ones,
    puts the rows off the fast lane aside and puts the fast ones in time order within the
    batch. Batches may come from two threads at once."""

    name: str
    tell: Callable[[int], None]
    failures: FailureMemory
    records: int = 0
    short: bool = False
    aside: list[pl.DataFrame] = field(default_factory=list)
    batches: list[_Batch] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, batch: pl.DataFrame) -> pl.DataFrame:
        summary = _summary(batch)
        if not summary["in_reference_order"]:
            # equal times are ordered by reference, "f.csv:10" before "f.csv:9": where such
            # a tie spans a change of the lines' width (or the times go back), the batch is
            # put in that order here, as `in_time_order` would (rows off the fast lane go
            # aside)
            batch = batch.sort("__fast_ts", pl.col("__line").cast(pl.String), maintain_order=True)
            summary = _summary(batch)
        if summary["non_ascii"]:  # a domain in Unicode: in ASCII (IDNA), as the loader has it
            lower = batch.get_column("__fast_domain").str.to_lowercase().alias("recipient_domain")
            batch = batch.with_columns(
                __fast_domain=normalize_domains(lower.to_frame()).to_series()
            )
        batch = self.failures.classify(batch)
        rows = summary["rows"]
        with self._lock:
            self.records += batch.height
            self.short = self.short or summary["short"]
            if rows < batch.height:
                self.aside.append(batch.filter(~pl.col("__fast")))
            if rows:
                first = (summary["first_time"], f"{self.name}:{summary['first_line']}")
                last = (summary["last_time"], f"{self.name}:{summary['last_line']}")
                self.batches.append(_Batch(summary["first_line"], rows, first, last))
        self.tell(batch.height)
        return batch

    @property
    def fast_rows(self) -> int:
        return sum(batch.rows for batch in self.batches)


def _summary(batch: pl.DataFrame) -> dict[str, Any]:
    """One batch of records at a glance: whether one is short; of its fast-lane rows, how
    many, the first and last (line, time), whether they are in the order `in_time_order`
    gives, and whether a domain is not in ASCII. Read from the columns without a query or a
    gather: those wait for polars' threads, which are busy with the stream."""
    fast = batch.get_column("__fast")
    every = fast.all()
    time, line = batch.get_column("__fast_ts"), batch.get_column("__line")
    if not every:
        time, line = time.filter(fast), line.filter(fast)
    in_time_order = time.is_sorted()
    return {
        "short": batch.get_column("__short").any(),
        "rows": time.len(),
        "first_line": line.first(),
        "first_time": time.first(),
        "last_line": line.last(),
        "last_time": time.last(),
        "in_reference_order": in_time_order and not _ties_across_widths(time, line),
        "non_ascii": batch.get_column(_NON_ASCII).any(),
    }


def _ties_across_widths(time: pl.Series, line: pl.Series) -> bool:
    """Whether two rows of equal time sit on either side of a change of the line numbers'
    width (9 | 10, 99 | 100 …), the rows' times never going back: only such a tie is out of
    reference order ("f.csv:10" before "f.csv:9") although the lines are in order. Read
    from the rows at the changes alone (no query: it would wait for the stream's threads)."""
    first, last = line.first(), line.last()
    if first is None or last is None:
        return False
    lines: list[int] = []
    for width in range(len(str(first)), len(str(last))):
        lines = lines or line.to_list()
        after = bisect.bisect_left(lines, 10**width)  # the first line of the next width
        if time[after - 1] == time[after]:
            return True
    return False


@dataclass(frozen=True)
class _Input:
    """One file as the pass reads it: the analyst's path, the plain UTF-8 file read (a
    decoded copy for gzip and German Excel), its encoding as reported, its shape."""

    path: Path
    read: Path
    encoding: str
    sniffed: Sniffed


def load_into_parquet(
    paths: Sequence[Path],
    target: Path,
    *,
    timezone: str,
    format: str | None = None,
    progress: FileProgress | None = None,
) -> Written | None:
    """Load generic CSV files into the Parquet file `target` in one streaming pass (same
    file as `load_events` and writing it); None, with `target` untouched, when an input is
    not for this pass (another format, a folder, a file only the eager loader reads)."""
    from deliverability.ingest.registry import detect_format

    if format not in (None, FORMAT_NAME):
        return None
    if not paths or not all(path.is_file() for path in paths):
        return None  # a folder, or no file at all: the loader says which
    if any(detect_format(path) != FORMAT_NAME for path in paths):
        return None
    with ExitStack() as stack:
        copies = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="deliverability-")))
        # the files' heads read two at a time (polars lets go of the interpreter while it
        # reads their times); the first file's failures are classified meanwhile
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=2))
        preparing = [
            pool.submit(_prepared, path, copies / str(index), timezone)
            for index, path in enumerate(paths)
        ]
        failures = FailureMemory(MAX_RUNS)  # one for all files: their failures repeat
        first = preparing[0].result()
        first_head = None if first is None else _head(first.sniffed)
        first_repeats = first_head is not None and _texts_repeat(first_head)
        if first_head is not None and first_repeats:
            # the heads' failures before the stream: its first batches would otherwise each
            # wait for one run of the rules, and the stream with them
            failures.learn(first_head)
        inputs = [first, *(future.result() for future in preparing[1:])]
        ready = [found for found in inputs if found is not None]
        if len(ready) < len(inputs):
            return None
        heads = [_head(found.sniffed) for found in ready[1:]]
        if not first_repeats or not all(_texts_repeat(head) for head in heads):
            return None  # the pass would classify batch after batch: one run does better
        if heads:
            failures.learn(pl.concat(heads))  # a run only for failures not met before
        scratch = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent)
            )
        )
        written = scratch / "ereignisse.parquet"
        return _stream(ready, failures, target, written, timezone, progress)


def _prepared(path: Path, folder: Path, timezone: str) -> _Input | None:
    """The file as the pass reads it, or None when it is for the eager loader."""
    sniffed = sniff(path, timezone)
    if sniffed is not None:
        return _Input(path, path, "utf-8", sniffed)
    folder.mkdir()
    decoded = decoded_copy(path, folder)
    if decoded is None:
        return None
    copy, encoding = decoded
    with named_for(path):
        sniffed = sniff(copy, timezone)
    return None if sniffed is None else _Input(path, copy, encoding, sniffed)


#: Failure rows in the head of a file from which on their texts are judged, and the share
#: of them that must repeat an earlier one (`_texts_repeat`).
_JUDGED_FAILURES = 20
_REPEATING = 0.5


def _head(sniffed: Sniffed) -> pl.DataFrame:
    """The classification's `INPUTS` of the records in the file's head (`Sniffed.sample`),
    as text, empty fields as null (as the scan reads them)."""
    columns: dict[str, list[str | None]] = {}
    for name in INPUTS:
        index = int(sniffed.mapping[name][1:]) if name in sniffed.mapping else len(sniffed.header)
        columns[name] = [row[index] or None if index < len(row) else None for row in sniffed.sample]
    return pl.DataFrame(columns, schema=dict.fromkeys(INPUTS, pl.String))


def _texts_repeat(head: pl.DataFrame) -> bool:
    """Whether the failures in the head of a file (`_head`) mostly repeat one another's
    codes and texts, as a log's do. Where they mostly differ (addresses and ids in each
    diagnostic), the pass would run the rules for nearly every batch, some 50 ms of planning
    each (`FailureMemory`), and the usual load, which runs them once for all rows, is
    faster."""
    failures = head.filter(pl.col("event").is_in(list(FAILURE_EVENTS)))
    if failures.height < _JUDGED_FAILURES:
        return True
    return failures.unique().height <= (1 - _REPEATING) * failures.height


def _stream(
    inputs: list[_Input],
    failures: FailureMemory,
    target: Path,
    written: Path,
    timezone: str,
    progress: FileProgress | None,
) -> Written | None:
    watches = [
        _Watch(found.path.name, _teller(progress, index, len(inputs)), failures)
        for index, found in enumerate(inputs)
    ]
    domain = pl.col("__fast_domain")
    plans = [
        conform(
            fast_rows(
                raw_rows(found.read, found.sniffed, timezone)
                .with_columns(
                    key_to_classify(pl.col("__fast")),
                    (domain.str.len_bytes() != domain.str.len_chars()).alias(_NON_ASCII),
                )
                .map_batches(watch, streamable=True),
                found.read,
            )
        )
        for found, watch in zip(inputs, watches, strict=True)
    ]
    sink = pl.concat(plans).sink_parquet(
        written, compression="zstd", compression_level=1, lazy=True
    )
    # the files' line counts (`_checked_aside`) in the same run: the stream leaves a core
    line_counts = [physical_lines_query(found.read) for found in inputs]
    try:
        _, *counted = pl.collect_all([sink, *line_counts], engine="streaming")
    except pl.exceptions.PolarsError:  # too many fields, not UTF-8 after all: eager loader
        return None
    files, rejects, late = [], [], []
    for found, watch, lines in zip(inputs, watches, counted, strict=True):
        checked = _checked_aside(found, watch, int(lines.item()), timezone)
        if checked is None:
            return None
        good, bad, stats = checked
        files.append(stats)
        rejects.append(bad)
        late.append(good)
    if progress is not None:
        progress(len(inputs), len(inputs), 0)
    if failures.exhausted or any(good.height for good in late) or not _in_time_order(watches):
        events = _merged(pl.read_parquet(written), watches, late, classify=failures.exhausted)
        write_parquet_atomic(events, target)
        count = events.height
    else:
        replace_atomic(written, target)
        count = sum(watch.fast_rows for watch in watches)
    every_reject = pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECTS_SCHEMA)
    return Written(count, every_reject, tuple(files))


def _teller(progress: FileProgress | None, index: int, total: int) -> Callable[[int], None]:
    """What a file's watch tells `progress` per batch (the files before it count as done)."""
    if progress is None:
        return lambda records: None
    return lambda records: progress(index, total, records)


def _checked_aside(
    found: _Input, watch: _Watch, lines: int, timezone: str
) -> tuple[pl.DataFrame, pl.DataFrame, FileStats] | None:
    """The rows put aside through the full checks: (good events, rejects, accounting); None
    when the file has short rows or records across lines (then only the eager loader gets
    every line right). `lines`: the file's physical lines."""
    sniffed = found.sniffed
    suspicious = watch.short or watch.records + 1 != lines
    if suspicious and irregular_lines(found.read, sniffed.delimiter, len(sniffed.header)):
        return None
    if watch.aside:
        aside = pl.concat(watch.aside).sort("__line")
        slow, bad, blanks = slow_lane(aside.lazy(), found.read, timezone, sniffed.mapping, {})
        good, rejects, blank_count = pl.collect_all([conform(slow), bad, blanks])
        good, skipped_blank = normalize_domains(good), int(blank_count.item())
    else:  # every record took the fast lane
        good, rejects, skipped_blank = empty_events(), pl.DataFrame(schema=REJECTS_SCHEMA), 0
    if rejects.height:
        rejects = exact_lines(found.read, rejects.sort("line"), sniffed.delimiter)
        rejects = rejects.with_columns(file=pl.lit(str(found.path)))
    loaded = watch.fast_rows + good.height
    stats = FileStats(
        path=str(found.path),
        format=FORMAT_NAME,
        encoding=found.encoding,
        delimiter=sniffed.delimiter,
        read=loaded + rejects.height,
        loaded=loaded,
        rejected=rejects.height,
        skipped_blank=skipped_blank,
        ignored_columns=sniffed.ignored,
    )
    return good, rejects, stats


def _in_time_order(watches: list[_Watch]) -> bool:
    """Whether the written rows (files in turn, batches in line order, each in order) are
    in the order `in_time_order` gives: by time, equal times by reference."""
    batches = [
        batch
        for watch in watches
        for batch in sorted(watch.batches, key=lambda batch: batch.first_line)
    ]
    return all(before.last <= after.first for before, after in itertools.pairwise(batches))


def _merged(
    written: pl.DataFrame, watches: list[_Watch], late: list[pl.DataFrame], *, classify: bool
) -> pl.DataFrame:
    """The written events and the good rows of the slow lane, file by file as `load_events`
    puts them together (a file's fast rows, then its others), classified (`classify`: all
    of them; the pass gave up on a log whose texts mostly differ) and in time order."""
    pieces, start = [], 0
    for watch, good in zip(watches, late, strict=True):
        pieces.append(written.slice(start, watch.fast_rows))
        start += watch.fast_rows
        if good.height:
            pieces.append(good if classify else classify_frame(good))
    events = pl.concat(pieces)
    return in_time_order(classify_frame(events) if classify else events)
