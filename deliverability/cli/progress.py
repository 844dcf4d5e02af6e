"""Progress of long runs on the analyst's terminal: German, on stderr, drawn by `rich`.

Silent when stderr is not a terminal (a scheduled run, a pipe, a notebook), so that logs and
cron mails stay clean. A step reports with `advance(done, total, amount)`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO

from deliverability.ingest.result import FileProgress

#: What a long step calls after each part: parts done, parts in all, items in this part
#: (the shape a load reports its files in).
Advance = FileProgress


@contextmanager
def progress(
    what: str, parts: str, items: str | None = None, stream: TextIO | None = None
) -> Iterator[Advance]:
    """A progress line „`what` [####    ] 2/4 `parts` · 1.234.567 `items` · 812.345 `items`/s ·
    noch 0:00:03“ while the block runs (without `items`: no counts); a no-op unless `stream`
    (stderr) is a terminal."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield lambda done, total, amount: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from deliverability.views import format as fmt

    counts = []
    if items is not None:
        counts = [
            TextColumn("· {task.fields[items]} " + items),
            TextColumn("· {task.fields[rate]} " + items + "/s"),
        ]
    bar = Progress(
        TextColumn(what),
        BarColumn(),
        TextColumn("{task.fields[done]} " + parts),
        *counts,
        TextColumn("· noch"),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    )
    counted = 0

    def advance(done: int, total: int, amount: int) -> None:
        nonlocal counted
        counted += amount
        task = bar.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = fmt.number(counted / elapsed) if elapsed > 0 else "–"
        bar.update(
            task.id,
            completed=done,
            total=total,
            done=f"{done}/{total}",
            items=fmt.number(counted),
            rate=rate,
        )

    with bar:
        bar.add_task(what, total=None, done="…", items="0", rate="–")
        yield advance


def loading() -> AbstractContextManager[Advance]:
    """The progress of loading event files, as every command that loads shows it."""
    return progress("Lade Ereignisse", "Dateien", "Einträge")
