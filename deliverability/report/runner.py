"""The weekly report job: resolve the week, execute the notebook, render HTML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from deliverability import config
from deliverability.errors import InputError
from deliverability.ingest import load_events
from deliverability.outcomes import message_outcomes
from deliverability.report import format as fmt
from deliverability.report.render import execute_notebook, notebook_to_html
from deliverability.report.weekly import REJECTS_FILE, REPORT_NAME, SUPPRESSION_FILE, resolve_week
from deliverability.settings import load_settings
from deliverability.suppression.store import StateDir

#: The report's template, shipped inside the package: the scheduled report never runs the
#: analyst's working copy in notebooks/ (tests keep both in step with notebooks/wochenbericht.py).
NOTEBOOK = config.PACKAGE_DIR / "report" / f"{REPORT_NAME}.ipynb"


@dataclass(frozen=True)
class ReportResult:
    week: str
    week_title: str
    html: Path
    executed: Path
    suppression_csv: Path
    rejects_csv: Path
    suppressed: int
    rejected: int


def run_weekly_report(
    inputs: list[Path],
    week: str | None,
    out_dir: Path,
    timezone: str = config.DEFAULT_TIMEZONE,
    state_dir: Path | None = None,
    rules_file: Path | None = None,
    settings_file: str | Path | None = None,
    policy_change: bool = False,
) -> ReportResult:
    """Produce `out_dir/<week>/wochenbericht.html` (+ executed notebook, CSVs).

    With `state_dir` the report keeps the suppression list there up to date and uses it;
    `rules_file` holds the analyst's own classification rules (see `classify.user_rules`);
    thresholds and suppression rules come from the settings (`deliverability.settings`).
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
        if not path.is_file():
            raise InputError("Die Datei wurde nicht gefunden.", path=path)
    load = load_events(paths, timezone=timezone, classify=False)
    messages = message_outcomes(load.events.lazy(), timezone).collect()
    week = resolve_week(messages, week)
    folder = out_dir.resolve() / week
    executed = folder / f"{REPORT_NAME}.ipynb"
    execute_notebook(
        NOTEBOOK,
        executed,
        {
            "inputs": [str(p.resolve()) for p in paths],
            "week": week,
            "out_dir": str(out_dir.resolve()),
            "timezone": timezone,
            "state_dir": str(state_dir.resolve()) if state_dir else "",
            "rules_file": str(rules_file.resolve()) if rules_file else "",
            "settings_file": str(settings.source) if settings.source else "",
            "policy_change": policy_change,
        },
    )
    title = f"Wochenbericht Zustellbarkeit – {fmt.week_title(week, timezone)}"
    html = notebook_to_html(executed, folder / f"{REPORT_NAME}.html", title)
    suppression_csv = folder / SUPPRESSION_FILE
    suppressed = pl.read_csv(suppression_csv, infer_schema=False).height
    return ReportResult(
        week,
        fmt.week_title(week, timezone),
        html,
        executed,
        suppression_csv,
        folder / REJECTS_FILE,
        suppressed,
        load.rejects.height,
    )
