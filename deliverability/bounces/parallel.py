"""Classifying many bounce mails on all cores, in input order.

One mail takes well under a millisecond, so the work pays only for a few hundred mails and
more: below `MIN_PARALLEL` mails everything runs in this process. Many files (a folder, a
Maildir) are handed to the workers by name, so that they read them themselves; the mails of
a few large files (mbox) are read here and handed over as they are. Workers get the rule base
in force (the analyst's `--rules` included). Where this process has not loaded polars (the
`classify` command) workers are forked, which costs almost nothing; otherwise they are
started fresh, because forking a process whose thread pools run can deadlock.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from deliverability.bounces.parse import classify_mail
from deliverability.bounces.sources import RawMail, iter_mail_files, mails_of
from deliverability.bounces.verdict import MailResult
from deliverability.classify.codes import warm_up
from deliverability.classify.rules import RuleBase, activate_rules, rule_base

#: Fewer mails than this are classified in this process.
MIN_PARALLEL = 400
#: Mails per task sent to a worker.
CHUNK = 64


def available_cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(rules: RuleBase) -> None:
    activate_rules(rules)
    warm_up()


Result = TypeVar("Result")


def _work_on_file(work: Callable[[RawMail], Result], file: Path) -> list[Result]:
    return [work(mail) for mail in mails_of(file)]


def _pool(workers: int) -> Any:
    methods = multiprocessing.get_all_start_methods()
    method = "fork" if "fork" in methods and "polars" not in sys.modules else "spawn"
    context = multiprocessing.get_context(method)
    return context.Pool(workers, initializer=_start_worker, initargs=(rule_base(),))


def map_mails(
    work: Callable[[RawMail], Result], paths: Iterable[str | Path], workers: int | None = None
) -> Iterator[Result]:
    """`work` applied to every mail under `paths`, in input order, on `workers` processes.

    `work` must be a module-level function (or a `functools.partial` of one): the workers
    receive it by name. Returning small results (text lines) keeps this process light.
    """
    workers = workers or available_cores()
    files = iter_mail_files(paths)
    first_files = list(islice(files, MIN_PARALLEL))
    if workers >= 2 and len(first_files) == MIN_PARALLEL:  # many files: workers read them
        with _pool(workers) as pool:
            for results in pool.imap(
                partial(_work_on_file, work), chain(first_files, files), chunksize=CHUNK
            ):
                yield from results
        return
    mails = (mail for file in chain(first_files, files) for mail in mails_of(file))
    first = list(islice(mails, MIN_PARALLEL))
    if workers < 2 or len(first) < MIN_PARALLEL:
        yield from (work(mail) for mail in chain(first, mails))
        return
    with _pool(workers) as pool:
        yield from pool.imap(work, chain(first, mails), chunksize=CHUNK)


def classify_mails_parallel(
    paths: Iterable[str | Path], workers: int | None = None
) -> Iterator[MailResult]:
    """Every mail under `paths` classified, in input order, on `workers` processes."""
    return map_mails(classify_mail, paths, workers)
