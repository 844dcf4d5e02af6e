"""The bounce notebook under papermill, and the summary tables it shows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import papermill
import pytest

from deliverability.bounces import summary
from deliverability.bounces.parse import classify_mails
from deliverability.config import NOTEBOOK_DIR, sample_bounce_inputs

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bounces"


def test_summary_counts_add_up():
    box = summary.collect(classify_mails([FIXTURES]))
    overview = dict(summary.overview(box).iter_rows())
    assert overview["Mails gelesen"] == 19
    assert overview["davon keine Bounce-Mail"] == 1  # normal.eml
    failures = summary.failures_of(box)
    assert overview["Fehlgeschlagene Zustellungen (Empfänger)"] == failures.height == 19
    assert overview["davon hart (dauerhaft)"] + overview["davon weich (vorübergehend)"] == 19
    assert overview["Adressen zu sperren"] == 12
    reasons = summary.reasons(box)
    assert reasons["recipients"].sum() == box.verdicts.height
    assert reasons.filter(reasons["reason"] == "userunknown")["label"][0] == "Empfänger unbekannt"
    providers = summary.providers(box)
    assert providers["recipients"].sum() == failures.height


def test_top_diagnostics_merge_the_same_answer_to_different_recipients():
    box = summary.collect(classify_mails(sample_bounce_inputs()))
    top = summary.top_diagnostics(box, 5)
    assert top["recipients"].to_list() == sorted(top["recipients"].to_list(), reverse=True)
    assert top["recipients"][0] > 1
    assert not any("@" in message for message in top["message"].to_list())


def _run_notebook(tmp_path, **parameters) -> tuple[str, list[dict[str, str]]]:
    """Execute the notebook on the fixtures; its HTML outputs and the rows of its CSV."""
    out_csv = tmp_path / "befunde.csv"
    executed = tmp_path / "bounces.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK_DIR / "bounces.ipynb"),
        str(executed),
        parameters={"inputs": [str(FIXTURES)], "out_csv": str(out_csv), **parameters},
        cwd=str(tmp_path),
        log_output=False,
        progress_bar=False,
    )
    notebook = json.loads(executed.read_text())
    html = "".join(
        "".join(output.get("data", {}).get("text/html", ""))
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
    )
    with out_csv.open(encoding="utf-8") as handle:
        return html, list(csv.DictReader(handle))


@pytest.mark.slow
def test_bounce_notebook_runs_with_papermill(tmp_path):
    html, rows = _run_notebook(tmp_path)
    assert "Empfänger unbekannt" in html and "data:image/png;base64" in html
    assert "normal.eml" in html  # listed as not a bounce
    assert len(rows) == 21  # 19 failures + 1 complaint + 1 auto-reply
    assert {row["reason"] for row in rows} >= {"userunknown", "feedback", "vacation"}


@pytest.mark.slow
def test_bounce_notebook_shows_the_deciding_rule_and_takes_own_rules(tmp_path):
    rules = tmp_path / "regeln.csv"
    rules.write_text("reason,pattern\nsuspend,user unknown\n", encoding="utf-8")
    html, rows = _run_notebook(tmp_path, rules_file=str(rules))
    assert "Entschieden durch Regel" in html
    assert "user:regeln.csv:2" in html and "status:" in html
    assert all(row["rule"] for row in rows)
    assert any(row["rule"] == "user:regeln.csv:2" and row["reason"] == "suspend" for row in rows)


def test_notebook_is_committed_without_outputs():
    notebook = json.loads((NOTEBOOK_DIR / "bounces.ipynb").read_text())
    assert all(not cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")
    tags = [cell["metadata"].get("tags", []) for cell in notebook["cells"]]
    assert ["parameters"] in tags
