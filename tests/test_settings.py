"""Settings outside the notebooks: one file for thresholds, suppression rules and limit
profiles, read by every command; the state folder keeps the rules it was built with."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deliverability import config
from deliverability.cli import main
from deliverability.errors import ConfigError
from deliverability.settings import load_settings
from deliverability.suppression.store import StateDir

from .conftest import HEADER


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working folder without settings file (the project's own has none either)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_come_from_the_package(workdir):
    settings = load_settings()
    assert settings.source is None
    assert settings.report.hard_bounce_warn == 0.02
    assert settings.report.complaint_warn == 0.001
    assert settings.policy.consecutive_soft == 5
    assert settings.limit_profiles == {"zendesk_sell": "zendesk-sell"}


def test_a_file_in_the_working_folder_changes_only_what_it_names(workdir):
    (workdir / "deliverability.toml").write_text(
        "[report]\ncomplaint_warn = 0.003\n\n[suppression]\nconsecutive_soft = 3\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.source == (workdir / "deliverability.toml").resolve()
    assert settings.report.complaint_warn == 0.003
    assert settings.report.hard_bounce_warn == 0.02  # unchanged default
    assert settings.policy.consecutive_soft == 3
    assert "blocked" in settings.policy.sender_reasons  # unchanged default


def test_an_explicit_file_wins(workdir):
    (workdir / "deliverability.toml").write_text("[report]\nbounce_alert = 0.07\n")
    other = workdir / "team.toml"
    other.write_text("[report]\nbounce_alert = 0.04\n")
    assert load_settings(other).report.bounce_alert == 0.04


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[bericht]\nx = 1\n", "unbekannte(r) Abschnitt(e) bericht"),
        ("[report]\nhard_bounce = 0.1\n", "unbekannte Einstellung(en) in [report]: hard_bounce"),
        ("[report]\ncomplaint_warn = 3\n", "„complaint_warn“ muss ein Anteil zwischen 0 und 1"),
        ("[suppression]\nconsecutive_soft = 0\n", "consecutive_soft muss mindestens 1 sein"),
        ("[suppression]\nsender_reasons = ['gibtsnicht']\n", "Unbekannte Gründe"),
        ("[limits]\nprofiles = 3\n", "profiles muss Quellen auf Profilnamen abbilden"),
        ("report = [\n", "kein gültiges TOML"),
    ],
)
def test_mistakes_name_the_file_and_the_key(workdir, content, words):
    path = workdir / "falsch.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert words in str(caught.value) and "falsch.toml" in str(caught.value)


def test_notebooks_write_under_the_projects_reports_folder():
    assert config.REPORTS_DIR.is_absolute()
    assert config.REPORTS_DIR == config.PROJECT_DIR / "reports"


def _soft_bounces(write_csv, count: int) -> Path:
    rows = [
        f"2026-11-{day:02d} 10:00,s{day},a@x.de,voll@gmx.de,bounced,soft,,452,4.2.2,"
        "452 4.2.2 Mailbox full,esp"
        for day in range(2, 2 + count)
    ]
    return write_csv(HEADER + "\n" + "\n".join(rows) + "\n", "events.csv")


def test_the_state_folder_refuses_a_silent_change_of_rules(workdir, write_csv, capsys):
    events = _soft_bounces(write_csv, 3)
    state = workdir / "zustand"
    out = str(workdir / "export.csv")
    assert main(["suppress", str(events), "--state", str(state), "--out", out]) == 0
    assert StateDir(state).recorded_policy()["consecutive_soft"] == 5
    before = {p.name: p.stat().st_mtime_ns for p in state.iterdir()}
    strict = workdir / "streng.toml"
    strict.write_text("[suppression]\nconsecutive_soft = 3\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["suppress", str(events), "--state", str(state), "--out", out,
                 "--settings", str(strict)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "mit anderen Sperrregeln geführt (consecutive_soft 5 → 3)" in err
    assert "--policy-change" in err and "Traceback" not in err
    assert {p.name: p.stat().st_mtime_ns for p in state.iterdir()} == before  # nothing changed
    assert main(["suppress", str(events), "--state", str(state), "--out", out,
                 "--settings", str(strict), "--policy-change"]) == 0  # fmt: skip
    assert StateDir(state).recorded_policy()["consecutive_soft"] == 3
    assert "voll@gmx.de" in Path(out).read_text(encoding="utf-8")  # 3 soft bounces now suppress


def test_restore_judges_the_address_by_the_rules_it_is_given(workdir, write_csv, capsys):
    events = _soft_bounces(write_csv, 3)
    state = workdir / "zustand"
    assert main(["suppress", str(events), "--state", str(state), "--out", "e.csv"]) == 0
    restore = ["restore", "voll@gmx.de", "--state", str(state), "--reason", "Kunde bestätigt"]
    assert main(restore) == 1  # under five soft bounces in a row the address is only watched
    assert (
        "voll@gmx.de ist unter Beobachtung; es gibt nichts freizugeben" in capsys.readouterr().err
    )
    strict = workdir / "streng.toml"
    strict.write_text("[suppression]\nconsecutive_soft = 3\n", encoding="utf-8")
    assert main([*restore, "--settings", str(strict), "--policy-change"]) == 0
    assert StateDir(state).recorded_policy()["consecutive_soft"] == 3
    assert StateDir(state).history()["action"].to_list() == ["restore"]


def test_the_settings_file_in_the_working_folder_reaches_every_command(workdir, write_csv):
    events = _soft_bounces(write_csv, 3)
    (workdir / "deliverability.toml").write_text("[suppression]\nconsecutive_soft = 3\n")
    out = workdir / "export.csv"
    assert main(["suppress", str(events), "--state", "zustand", "--out", str(out)]) == 0
    assert "voll@gmx.de" in out.read_text(encoding="utf-8")
    assert main(["weekly", str(events), "--out", "woche", "--state", "zustand"]) == 0
    os.remove(workdir / "deliverability.toml")  # back to five: the state folder refuses
    assert main(["weekly", str(events), "--out", "woche", "--state", "zustand"]) == 1


def test_report_thresholds_come_from_the_settings(workdir):
    from deliverability.report import weekly

    sample = config.sample_inputs()[-1:]
    plain = weekly.build_weekly_report(sample, settings=load_settings())
    (workdir / "locker.toml").write_text("[report]\ncomplaint_warn = 0.5\n")
    relaxed = weekly.build_weekly_report(sample, settings=load_settings(workdir / "locker.toml"))
    titles = {finding.title for finding in weekly.findings(plain)}
    relaxed_titles = {finding.title for finding in weekly.findings(relaxed)}
    assert relaxed.thresholds.complaint_warn == 0.5
    assert "Beschwerderate erhöht" in titles
    assert relaxed_titles == titles - {"Beschwerderate erhöht"}
