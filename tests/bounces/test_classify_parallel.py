"""`deliverability classify` on many mails spreads them over the cores: same records, same
order, the analyst's rules applied in every worker."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from deliverability.bounces import parallel
from deliverability.bounces.records import write_verdicts
from deliverability.classify.rules import use_rules
from deliverability.classify.user_rules import rules_with

FIXTURES = Path(__file__).parents[1] / "fixtures" / "bounces"


@pytest.fixture
def many_mails(tmp_path):
    folder = tmp_path / "mails"
    folder.mkdir()
    sources = sorted(FIXTURES.glob("*.eml"))
    for index in range(parallel.MIN_PARALLEL + 50):
        shutil.copy(sources[index % len(sources)], folder / f"{index:04d}.eml")
    return folder


def _run(folder: Path, cores: int, monkeypatch, fmt: str = "jsonl") -> tuple[str, str, tuple]:
    monkeypatch.setattr(parallel, "available_cores", lambda: cores)
    out, err = io.StringIO(), io.StringIO()
    counts = write_verdicts([str(folder)], fmt, out, err)
    return out.getvalue(), err.getvalue(), counts


@pytest.mark.slow
def test_parallel_output_equals_serial_output(many_mails, monkeypatch, tmp_path):
    serial = _run(many_mails, 1, monkeypatch)
    assert serial[2][0] == parallel.MIN_PARALLEL + 50
    assert _run(many_mails, 2, monkeypatch) == serial
    assert _run(many_mails, 2, monkeypatch, "csv") == _run(many_mails, 1, monkeypatch, "csv")
    rules = tmp_path / "regeln.csv"
    rules.write_text("reason,pattern\nblocked,user unknown|no such user\n", encoding="utf-8")
    with use_rules(rules_with(rules)):
        own_serial = _run(many_mails, 1, monkeypatch)
        own_parallel = _run(many_mails, 2, monkeypatch)
    assert own_parallel == own_serial
    assert "user:regeln.csv:2" in own_parallel[0] and own_parallel[0] != serial[0]


def test_a_broken_file_among_many_gives_the_german_error(many_mails, monkeypatch, capsys):
    from deliverability.cli import main

    (many_mails / "0200.eml").write_bytes(b"\x1f\x8b kaputt")
    monkeypatch.setattr(parallel, "available_cores", lambda: 2)
    assert main(["classify", str(many_mails)]) == 1
    err = capsys.readouterr().err
    assert "0200.eml" in err and "gzip-Datei ist beschädigt" in err and "Traceback" not in err
