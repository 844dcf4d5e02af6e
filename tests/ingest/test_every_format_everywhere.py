"""Issue 17, "done when": `load`, `rates`, `suppress` and `report` accept every format's
fixture in one run, and the accounting identity (read = loaded + rejected + skipped +
duplicates) holds for every file."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from deliverability.cli import main
from deliverability.ingest import load_events

FIXTURES = Path(__file__).parents[1] / "fixtures"
EVERY_FORMAT = sorted((FIXTURES / "formats").iterdir()) + [FIXTURES / "outlook" / "ndr-german.msg"]
WEEK = "KW 48/2026"  # 23.–29.11.2026, the week most fixtures are in


def _rows(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


def test_every_file_balances():
    result = load_events(EVERY_FORMAT)
    assert len(result.files) == len(EVERY_FORMAT)
    for stats in result.files:
        assert stats.balanced, stats
        assert stats.read > 0, stats.path
    assert result.rejects.height == sum(f.rejected for f in result.files)
    assert result.events.height == sum(f.loaded for f in result.files)


def test_rates_and_suppress_accept_every_format(tmp_path):
    paths = [str(p) for p in EVERY_FORMAT]
    assert main(["rates", *paths, "--week", WEEK, "--out", str(tmp_path / "raten.csv")]) == 0
    assert _rows(tmp_path / "raten.csv")
    out = tmp_path / "sperrliste.csv"
    assert main(["suppress", *paths, "--state", str(tmp_path / "s"), "--out", str(out)]) == 0
    blocked = out.read_text(encoding="utf-8-sig")
    # hard bounces from the new sources: HubSpot events and Google's log search (ghost@gmx.de),
    # the Outlook .msg, Zoho CRM's permanent block
    for address in ("ghost@gmx.de", "ghost@kunde.example", "weg@t-online.de"):
        assert address in blocked, address


@pytest.mark.slow
def test_report_accepts_every_format(tmp_path):
    paths = [str(p) for p in EVERY_FORMAT]
    code = main(
        ["report", "--input", *paths, "--week", WEEK, "--out", str(tmp_path / "berichte"),
         "--state", str(tmp_path / "s")]
    )  # fmt: skip
    assert code == 0
    (folder,) = (tmp_path / "berichte").iterdir()
    assert (folder / "wochenbericht.html").exists()
    rejected = _rows(folder / "abgelehnte_zeilen.csv")
    assert len(rejected) == load_events(EVERY_FORMAT).rejects.height


def _run(notebook: str, tmp_path: Path, parameters: dict) -> str:
    import papermill

    from deliverability.config import NOTEBOOK_DIR

    from ..notebook_output import shown_text

    executed = tmp_path / f"{notebook}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK_DIR / f"{notebook}.ipynb"),
        str(executed),
        parameters=parameters,
        cwd=str(tmp_path),
        log_output=False,
        progress_bar=False,
    )
    return shown_text(executed)


@pytest.mark.slow
def test_the_notebooks_accept_every_format(tmp_path):
    """The event notebooks take every fixture at once; the bounce notebook the Outlook .msg."""
    paths = [str(p) for p in EVERY_FORMAT]
    shown = _run(
        "sperrliste",
        tmp_path,
        {"inputs": paths, "week": WEEK, "state_dir": str(tmp_path / "s"),
         "out_dir": str(tmp_path / "exporte")},
    )  # fmt: skip
    assert "KW 48/2026" in shown
    # new this week: the hard bounce of the Outlook .msg, soft bounces in a row across five
    # exports (one of them Mailchimp Transactional's), the Zoho CRM permanent block
    assert "ghost@kunde.example" in shown and "weg@t-online.de" in shown
    assert "mandrill-activity.csv:4" in shown and "zoho-crm-emails.json" in shown
    shown = _run("zustellung", tmp_path, {"inputs": paths, "week": WEEK, "check_dns": False})
    assert "KW 48/2026" in shown and "Zustellrate" in shown
    shown = _run(
        "sendelimits",
        tmp_path,
        {"inputs": paths, "source": "", "out_dir": str(tmp_path / "limits")},
    )
    assert (tmp_path / "limits" / "sendelimits.csv").exists()
    shown = _run("bounces", tmp_path, {"inputs": [str(FIXTURES / "outlook")]})
    assert "ghost@kunde.example" in shown
