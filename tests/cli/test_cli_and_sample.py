"""The console script speaks German; the sample data is made by the generator."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from deliverability.cli import main
from deliverability.config import SAMPLE_DIR
from deliverability.sample import write_sample


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deliverability", *args], capture_output=True, text=True, check=False
    )


COMMANDS = (
    "report", "sample", "classify", "suppress", "restore", "validate", "replay", "load",
    "check-sender", "providers", "rates", "weekly", "profiles",
)  # fmt: skip


def test_the_help_test_covers_every_subcommand():
    import argparse

    from deliverability.cli import _parser

    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(actions[0].choices) == set(COMMANDS)


@pytest.mark.parametrize("command", [[]] + [[name] for name in COMMANDS])
def test_help_works_for_every_subcommand_in_german(command):
    result = _run(*command, "--help")
    assert result.returncode == 0
    assert "Aufruf:" in result.stdout
    assert "diese Hilfe anzeigen und beenden" in result.stdout
    assert "usage:" not in result.stdout and "show this help" not in result.stdout
    assert "show program" not in result.stdout and "positional arguments" not in result.stdout


def test_argument_errors_are_german():
    result = _run("report", "--week")
    assert result.returncode == 2
    assert "Fehler:" in result.stderr and "erwartet einen Wert" in result.stderr


def test_bad_input_file_gives_a_clear_message_without_traceback(tmp_path: Path, capsys):
    bad = tmp_path / "kaputt.csv"
    bad.write_text("zeit,wer\n1,2\n", encoding="utf-8")
    code = main(["report", "--input", str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"Fehler: Datei {bad}, Zeile 1, Feld „timestamp“: Pflichtspalte")
    assert "Traceback" not in err


def test_missing_input_file(tmp_path: Path, capsys):
    code = main(["report", "--input", str(tmp_path / "fehlt.csv")])
    assert code == 1
    assert "wurde nicht gefunden" in capsys.readouterr().err


@pytest.mark.slow
def test_committed_sample_is_exactly_what_the_generator_makes(tmp_path: Path):
    fresh = write_sample(tmp_path)
    committed = sorted(SAMPLE_DIR.glob("events-*.csv.gz"))
    assert [p.name for p in fresh] == [p.name for p in committed]
    for new, old in zip(fresh, committed, strict=True):
        assert gzip.decompress(new.read_bytes()) == gzip.decompress(old.read_bytes()), new.name
    assert sum(p.stat().st_size for p in committed) < 5 * 1024 * 1024


@pytest.mark.slow
def test_committed_bounce_mailbox_is_exactly_what_the_generator_makes(tmp_path: Path):
    from deliverability.sample import write_bounce_sample

    fresh = write_bounce_sample(tmp_path)
    committed = SAMPLE_DIR / fresh.name
    assert committed.read_bytes() == fresh.read_bytes()
