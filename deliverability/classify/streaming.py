"""Classification inside a streaming query: the rows keep their order, and no table of all
events is ever built.

`classify_events` works on a whole table: it runs the rules once per distinct masked
combination of codes and joins the result back. A streaming query hands over its rows in
batches of some ten thousand, and a polars query per batch would cost more than the rules
themselves. `classify_in_stream` therefore remembers what `classify_failures` gave for each
distinct failure row (its six input columns) and runs it only on the rows of a batch it has
not met before; a log repeats the same few failures many times over. Same rows in, same
values out as `classify_frame`.
"""

from __future__ import annotations

import threading

import polars as pl

from deliverability.classify.vectorized import FILLED, classify_failures, gap_rows
from deliverability.schema import EVENT_SCHEMA

#: The column `key_to_classify` makes: the `input_key` of the rows to classify, else 0 (a
#: key of 0 is as likely as any other).
KEY = "__classify"
#: The columns a failure row is classified from.
INPUTS = ("event", "bounce_type", "reason", "status", "smtp_code", "diagnostic")
#: Distinct failure rows remembered at most; beyond, the memory starts afresh (a log whose
#: texts all differ would otherwise grow it with every row).
MEMORY_ROWS = 200_000
#: Batches with rows not met before that a memory of a pass that can classify afterwards
#: classifies at most: each such run costs some 50 ms of planning, so a log whose texts
#: mostly differ (addresses and ids in every diagnostic) is better left to `classify_frame`,
#: which does all rows in one run.
MAX_RUNS = 16


def input_key() -> pl.Expr:
    """A 64-bit hash of a row's `INPUTS`, by which `FailureMemory` knows the rows it met
    (as `classify_codes` keys its combinations)."""
    return pl.struct(INPUTS).hash()


def key_to_classify(where: pl.Expr | None = None) -> pl.Expr:
    """The column `KEY`: the `input_key` of the rows `gap_rows` finds (of those, the ones
    `where` marks), 0 elsewhere, as `FailureMemory.classify` reads it. 0 rather than null:
    a comparison with 0 reads the column without a query, a null test would be one."""
    rows = gap_rows(pl.col) if where is None else gap_rows(pl.col) & where
    return pl.when(rows).then(input_key()).otherwise(0).alias(KEY)


_POSITIONS: list[pl.Series] = [pl.Series(dtype=pl.UInt32)]


def _positions(rows: int) -> pl.Series:
    """0, 1, … rows - 1: a slice of one series kept for all batches, made anew only for a
    larger batch (a range made per batch would be a query, and wait for the stream's
    threads)."""
    if len(_POSITIONS[-1]) < rows:
        _POSITIONS.append(pl.Series(range(max(rows, 1 << 16)), dtype=pl.UInt32))
    return _POSITIONS[-1].slice(0, rows)


class FailureMemory:
    """What `classify_failures` gave per distinct failure row met so far in one stream, by
    `input_key`."""

    def __init__(self, max_runs: int | None = None) -> None:
        """`max_runs`: batches with new rows classified at most (None: no limit)."""
        self.max_runs = max_runs
        self._results: dict[int, tuple[object, ...]] = {}
        self._lock = threading.Lock()  # batches may come from two threads at once
        self.runs = 0
        #: Set when `max_runs` is reached: later batches pass unclassified, the caller
        #: classifies afterwards.
        self.exhausted = False

    def learn(self, rows: pl.DataFrame) -> None:
        """Classify beforehand the failure rows among `rows` (the `INPUTS` as text, e.g. the
        records in a file's head) in one run, so that batches repeating them need none."""
        readable = [
            pl.col(name).is_null()
            | pl.col(name).cast(EVENT_SCHEMA[name], strict=False).is_not_null()
            for name in INPUTS
        ]
        failures = (
            rows.lazy()
            .select(INPUTS)
            .with_columns(_key=input_key())
            .filter(gap_rows(pl.col) & pl.all_horizontal(readable))
            .unique(subset="_key", maintain_order=True)
            .collect()
        )
        keys = failures.get_column("_key").to_list()
        self._learn(failures.drop("_key"), list(range(failures.height)), keys)

    def classify(self, batch: pl.DataFrame) -> pl.DataFrame:
        """`batch` with the columns `FILLED` filled on the rows its column `KEY` marks
        (`key_to_classify`) as `classify_frame` fills them. The batch may hold them as text
        (the values of the event schema's types): they are read as those types and written
        back as text. Built from the columns, without a query or a gather: those wait for
        polars' threads, which in a stream are busy with the stream."""
        if self.exhausted:
            return batch
        column = batch.get_column(KEY)
        marked = column != 0
        positions = _positions(batch.height).filter(marked).to_list()
        if not positions:
            return batch
        keys = column.filter(marked).to_list()
        known = self._results  # this one: another batch may start afresh meanwhile
        new = [index for index, key in enumerate(keys) if key not in known]
        learned = self._learn(batch, [positions[i] for i in new], [keys[i] for i in new])
        if self.exhausted:
            return batch
        results = [learned[key] if key in learned else known[key] for key in keys]
        filled = batch.clone()  # shallow: only the columns written are new
        for name, values in zip(FILLED, zip(*results, strict=True), strict=True):
            column = batch.get_column(name)
            new_values = pl.Series(name, values, dtype=column.dtype)
            filled.replace_column(
                batch.get_column_index(name), column.clone().scatter(positions, new_values)
            )
        return filled

    def _learn(
        self, batch: pl.DataFrame, positions: list[int], keys: list[int]
    ) -> dict[int, tuple[object, ...]]:
        """Classify the rows at `positions`, not met before (their keys: `keys`). One batch
        at a time, so that two never classify the same row."""
        if not positions:
            return {}
        with self._lock:
            known = self._results
            still = [index for index, key in enumerate(keys) if key not in known]
            learned = {key: known[key] for key in keys if key in known}
            if still and self.max_runs is not None and self.runs >= self.max_runs:
                self.exhausted = True
                return {}
            if still:
                self.runs += 1
                rows = (
                    batch[[positions[index] for index in still]]
                    .select(pl.col(name).cast(EVENT_SCHEMA[name]) for name in INPUTS)
                    .with_columns(_key=pl.Series([keys[index] for index in still], dtype=pl.UInt64))
                    .unique(subset="_key", maintain_order=True)
                )
                found = classify_failures(rows.lazy()).select(FILLED).collect()
                # the values as the batch holds them (text, or the event schema's types)
                found = found.cast({name: batch.schema[name] for name in FILLED})
                new = dict(zip(rows.get_column("_key").to_list(), found.rows(), strict=True))
                if len(known) > MEMORY_ROWS:
                    self._results = {}
                self._results.update(new)
                learned.update(new)
        return learned


def classify_in_stream(events: pl.LazyFrame) -> pl.LazyFrame:
    """`classify_events` for a query that may run in batches: rows in their order, the
    columns `FILLED` filled where the source left a gap (every failure while the analyst's
    rules are in force)."""
    memory = FailureMemory()

    def classify(batch: pl.DataFrame) -> pl.DataFrame:
        return memory.classify(batch).drop(KEY)

    schema = events.collect_schema()
    return events.with_columns(key_to_classify()).map_batches(
        classify, schema=schema, streamable=True
    )
