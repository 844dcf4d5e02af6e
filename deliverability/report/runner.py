"""The weekly report job: execute the report's template, render HTML and PDF.

The inputs are read once, in the kernel; the kernel tells the job which week it reported and
where it wrote (a small manifest), so the job needs no second read to find the week.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deliverability import config
from deliverability.errors import ConfigError, DeliverabilityError, InputError, ReportError
from deliverability.ingest.text import check_input
from deliverability.report.pdf import html_to_pdf, import_in_background
from deliverability.report.render import execute_notebook, notebook_to_html
from deliverability.report.weekly import AFFECTED_FILE, REJECTS_FILE, REPORT_NAME, SUPPRESSION_FILE
from deliverability.report.workbook import WORKBOOK_FILE
from deliverability.report.xlsx import INDEX_FILE
from deliverability.settings import load_settings
from deliverability.suppression.store import StateDir
from deliverability.views import format as fmt

#: The report's template, shipped inside the package: the scheduled report never runs the
#: analyst's working copy in notebooks/ (tests keep both in step with notebooks/wochenbericht.py).
NOTEBOOK = config.PACKAGE_DIR / "report" / f"{REPORT_NAME}.ipynb"


@dataclass(frozen=True)
class ReportResult:
    week: str
    week_title: str
    html: Path
    pdf: Path
    executed: Path
    suppression_csv: Path
    rejects_csv: Path
    affected_csv: Path
    workbook: Path
    suppressed: int
    rejected: int


def _execute(
    running: Path,
    parameters: dict[str, object],
    progress: Callable[[int, int], None] | None,
    after_cell: Callable[[], None] | None = None,
) -> None:
    """Run the template; the package's own errors raised in the kernel (a missing column, an
    unknown week) come back as the same German sentence, not as a notebook failure."""
    allocate_for_kernel()
    try:
        execute_notebook(NOTEBOOK, running, parameters, progress=progress, after_cell=after_cell)
    except ReportError as error:
        cause = error.__cause__
        kind = getattr(cause, "ename", "")
        if kind in _OWN_ERRORS:
            running.unlink(missing_ok=True)
            raise _OWN_ERRORS[kind](str(getattr(cause, "evalue", ""))) from None
        raise


class WorkbookWriter:
    """Writes the workbook in a process of its own (`report.xlsx`) from the tables the kernel
    leaves in `tables`, started as soon as they are there, so that the workbook is written
    while the notebook goes on and the HTML and PDF are rendered."""

    def __init__(self, tables: Path) -> None:
        self.tables = tables
        self._process: subprocess.Popen[bytes] | None = None

    def start_when_ready(self) -> None:
        """Start the writer once the kernel's tables are complete (called after each cell)."""
        if self._process is not None or not (self.tables / INDEX_FILE).exists():
            return
        self._process = subprocess.Popen(
            [sys.executable, "-m", "deliverability.report.xlsx", str(self.tables)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        """Wait for the workbook; a failure becomes the writer's German sentence."""
        if self._process is None:
            raise ReportError(f"Die Tabellen für die Arbeitsmappe fehlen in {self.tables}.")
        _, error = self._process.communicate()
        if self._process.returncode != 0:
            said = error.decode("utf-8", "replace").strip().splitlines()
            raise ReportError(
                said[-1]
                if said
                else f"Die Arbeitsmappe ließ sich nicht schreiben (Rückgabewert "
                f"{self._process.returncode})."
            )

    def __enter__(self) -> WorkbookWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop a writer still running (the report failed) and remove the tables."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self.tables, ignore_errors=True)


#: The kernel's memory allocator (jemalloc, inside polars) hands freed memory back to the
#: system after a tenth of a second instead of half a second: loading leaves much garbage, and
#: the report's peak memory (all processes, goal 3 GB on 5 million events) counts what is
#: kept. At once (0 ms) keeps even less but costs six seconds of page faults on 5 million.
KERNEL_ALLOCATOR = ("_RJEM_MALLOC_CONF", "dirty_decay_ms:100,muzzy_decay_ms:0")


def allocate_for_kernel() -> None:
    """Set the allocator for processes started from here on (the kernel, the workbook's
    writer). Importing polars has already put its own default (half a second) into the
    environment, which only a later setting in the same variable overrides."""
    name, setting = KERNEL_ALLOCATOR
    os.environ[name] = setting


#: Errors of this package, by name, that a kernel may raise for bad input.
_OWN_ERRORS: dict[str, type[DeliverabilityError]] = {
    "InputError": InputError,
    "ConfigError": ConfigError,
}


def run_weekly_report(
    inputs: list[Path],
    week: str | None,
    out_dir: Path,
    timezone: str = config.DEFAULT_TIMEZONE,
    state_dir: Path | None = None,
    rules_file: Path | None = None,
    settings_file: str | Path | None = None,
    policy_change: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ReportResult:
    """Produce `out_dir/<week>/wochenbericht.html` and `.pdf` (+ executed notebook, workbook,
    CSVs).

    With `state_dir` the report keeps the suppression list there up to date and uses it;
    `rules_file` holds the analyst's own classification rules (see `classify.user_rules`);
    thresholds and suppression rules come from the settings (`deliverability.settings`);
    `progress` is told after each cell of the report (cells done, cells in all).
    """
    settings = load_settings(settings_file)  # checked before the kernel starts
    if state_dir is not None:
        StateDir(state_dir).check_policy(settings.policy, policy_change)
    paths = inputs or config.sample_inputs()
    if not paths:
        raise InputError(
            f"Keine Eingabedateien angegeben und keine Beispieldaten in {config.SAMPLE_DIR}."
        )
    for path in paths:
        check_input(path)
    out = out_dir.resolve()
    token = uuid.uuid4().hex[:12]
    manifest_file = out / f".{REPORT_NAME}-{token}.json"
    running = out / f".{REPORT_NAME}-{token}.ipynb"
    import_in_background()  # ready for the PDF when the notebook is done
    with WorkbookWriter(out / f".{REPORT_NAME}-{token}-tabellen") as writer:
        try:
            _execute(
                running,
                {
                    "inputs": [str(p.resolve()) for p in paths],
                    "week": week or "",
                    "out_dir": str(out),
                    "timezone": timezone,
                    "state_dir": str(state_dir.resolve()) if state_dir else "",
                    "rules_file": str(rules_file.resolve()) if rules_file else "",
                    "settings_file": str(settings.source) if settings.source else "",
                    "policy_change": policy_change,
                    "manifest_file": str(manifest_file),
                    "workbook_tables": str(writer.tables),
                },
                progress,
                writer.start_when_ready,
            )
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        finally:
            manifest_file.unlink(missing_ok=True)
        folder = Path(manifest["folder"])
        executed = folder / f"{REPORT_NAME}.ipynb"
        os.replace(running, executed)
        week_title = fmt.week_title(str(manifest["week"]), timezone)
        title = f"Wochenbericht Zustellbarkeit – {week_title}"
        html = notebook_to_html(executed, folder / f"{REPORT_NAME}.html", title)
        writer.start_when_ready()
        pdf = html_to_pdf(html, folder / f"{REPORT_NAME}.pdf")
        writer.wait()
    return ReportResult(
        str(manifest["week"]),
        week_title,
        html,
        pdf,
        executed,
        folder / SUPPRESSION_FILE,
        folder / REJECTS_FILE,
        folder / AFFECTED_FILE,
        folder / WORKBOOK_FILE,
        int(manifest["suppressed"]),
        int(manifest["rejected"]),
    )
