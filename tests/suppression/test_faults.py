"""Fault suite for the state folder: concurrent runs, `kill -9` at many points, a full disk,
damaged files. Each run is a real `deliverability` process, as the analyst or cron starts it."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from deliverability.suppression.store import EVENTS_FILE, HISTORY_FILE, STATE_FILE, StateDir
from deliverability.suppression.transaction import JOURNAL, backup_path, pending_path

pytestmark = pytest.mark.faults

HEADER = "timestamp,message_id,sender,recipient,event,bounce_type,status,diagnostic\n"


def _bounces(path: Path, prefix: str, count: int, day: int = 20) -> Path:
    lines = [
        f"2026-11-{day}T10:{i % 60:02d}:00+01:00,m-{prefix}-{i},news@firma.de,"
        f"{prefix}{i}@gmx.de,bounced,hard,5.1.1,550 5.1.1 user unknown\n"
        for i in range(count)
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "deliverability", *args]


def _suppress(state: Path, *inputs: Path, out: Path) -> list[str]:
    return _command("suppress", "--state", str(state), "--out", str(out), *map(str, inputs))


def _snapshot(folder: Path) -> dict[str, object]:
    """What the analyst sees of a state folder: its events, its list and its history."""
    store = StateDir(folder)
    events, state = store.events(), store.state()
    return {
        "events": sorted(events.get_column("recipient").to_list()),
        "suppressed": None
        if state is None
        else sorted(state.filter(pl.col("status") == "suppressed")["address"].to_list()),
        "history": store.history().height,
    }


def test_two_runs_at_once_lose_nothing(tmp_path):
    state = tmp_path / "state"
    first = _bounces(tmp_path / "a.csv", "a", 20_000)
    second = _bounces(tmp_path / "b.csv", "b", 20_000)
    runs = [
        subprocess.Popen(
            _suppress(state, source, out=tmp_path / f"{source.stem}.csv"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for source in (first, second)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    snapshot = _snapshot(state)
    assert len(snapshot["suppressed"]) == 40_000  # both runs' addresses, none overwritten
    assert len(snapshot["events"]) == 40_000
    assert not list(state.glob(".*.neu")) and not (state / JOURNAL).exists()


def test_parallel_manual_entries_and_restores_keep_every_history_line(tmp_path):
    state = tmp_path / "state"
    source = _bounces(tmp_path / "a.csv", "r", 6)
    assert subprocess.run(_suppress(state, source, out=tmp_path / "x.csv")).returncode == 0
    runs = [
        subprocess.Popen(
            _command(
                "suppress", "--state", str(state), "--add", f"manuell{i}@web.de",
                "--reason", "Wunsch des Kunden", "--out", str(tmp_path / f"o{i}.csv"),
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(4)
    ] + [
        subprocess.Popen(
            _command("restore", f"r{i}@gmx.de", "--state", str(state), "--reason", "geprüft"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(4)
    ]  # fmt: skip
    assert [run.wait(timeout=300) for run in runs] == [0] * 8
    history = StateDir(state).history()
    assert history.height == 8
    assert sorted(history["action"].to_list()) == ["add"] * 4 + ["restore"] * 4
    suppressed = set(_snapshot(state)["suppressed"])
    assert {f"manuell{i}@web.de" for i in range(4)} <= suppressed
    assert not {f"r{i}@gmx.de" for i in range(4)} & suppressed
    assert {"r4@gmx.de", "r5@gmx.de"} <= suppressed


@pytest.mark.slow
def test_kill_9_at_any_point_leaves_the_folder_before_or_after(tmp_path):
    base = tmp_path / "base"
    start = _bounces(tmp_path / "start.csv", "s", 5_000, day=19)
    assert subprocess.run(_suppress(base, start, out=tmp_path / "x.csv")).returncode == 0
    new = _bounces(tmp_path / "neu.csv", "n", 60_000)
    before = _snapshot(base)
    after_folder = tmp_path / "after"
    shutil.copytree(base, after_folder)
    began = time.monotonic()
    assert subprocess.run(_suppress(after_folder, new, out=tmp_path / "y.csv")).returncode == 0
    duration = time.monotonic() - began
    after = _snapshot(after_folder)
    assert after != before
    seen = set()
    for step in range(12):
        folder = tmp_path / f"kill{step}"
        run = _suppress_on_copy(base, folder, new, out=tmp_path / f"k{step}.csv")
        time.sleep(duration * (0.25 + 0.75 * step / 11))  # start-up to the very end
        run.send_signal(signal.SIGKILL)
        run.wait()
        with StateDir(folder).changing():  # the next run: finish or roll back first
            pass
        snapshot = _snapshot(folder)
        assert snapshot in (before, after), f"kill at step {step}"
        seen.add("after" if snapshot == after else "before")
        assert not list(folder.glob(".*.neu")) and not (folder / JOURNAL).exists()
    if "after" not in seen:  # no timed kill came late enough (this run was slower): one more,
        folder = _killed_during_commit(base, new, tmp_path)  # aimed at the commit itself
        with StateDir(folder).changing():  # the next run finishes the interrupted commit
            pass
        assert _snapshot(folder) == after
        seen.add("after")
    assert seen == {"before", "after"}  # the kills did hit both sides of the commit


def _suppress_on_copy(base: Path, folder: Path, source: Path, out: Path) -> subprocess.Popen:
    """`suppress` started (not awaited) on `folder`, a fresh copy of the state in `base`."""
    shutil.copytree(base, folder)
    return subprocess.Popen(
        _suppress(folder, source, out=out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _killed_during_commit(base: Path, source: Path, tmp_path: Path, attempts: int = 5) -> Path:
    """A copy of `base` whose `suppress` run was killed while it switched its files in (its
    journal exists only then); tried again if a run finished before it could be caught."""
    for attempt in range(attempts):
        folder = tmp_path / f"commit{attempt}"
        run = _suppress_on_copy(base, folder, source, out=tmp_path / f"c{attempt}.csv")
        while run.poll() is None and not (folder / JOURNAL).exists():
            time.sleep(0.0002)
        if run.poll() is None:
            run.send_signal(signal.SIGKILL)
            run.wait()
            return folder
    raise AssertionError(f"no run of {attempts} could be stopped during its commit")


def test_an_interrupted_commit_is_finished_by_the_next_run(tmp_path):
    folder = tmp_path / "state"
    store = StateDir(folder)
    store.record("add", "eins@web.de", "Test")
    # a run that wrote its new files and its journal, then died before switching them in
    store_history = (folder / HISTORY_FILE).read_text(encoding="utf-8")
    pending_path(folder, HISTORY_FILE).write_text(
        store_history + store_history.splitlines()[-1].replace("eins", "zwei") + "\n",
        encoding="utf-8",
    )
    (folder / JOURNAL).write_text('{"dateien": ["verlauf.csv"]}', encoding="utf-8")
    assert store.history().height == 1  # not yet: nothing is read past a journal ...
    with store.changing():  # ... until the next run holds the lock and finishes the commit
        pass
    assert store.history()["address"].to_list() == ["eins@web.de", "zwei@web.de"]
    # without a journal, new files are an unfinished run and are thrown away
    pending_path(folder, HISTORY_FILE).write_text("kaputt", encoding="utf-8")
    with store.changing():
        pass
    assert store.history().height == 2 and not pending_path(folder, HISTORY_FILE).exists()


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_changes_nothing_and_says_so(tmp_path):
    state = tmp_path / "state"
    start = _bounces(tmp_path / "start.csv", "s", 100)
    assert subprocess.run(_suppress(state, start, out=tmp_path / "x.csv")).returncode == 0
    before = _snapshot(state)
    new = _bounces(tmp_path / "neu.csv", "n", 50_000)
    run = subprocess.run(
        _suppress(state, new, out=tmp_path / "y.csv"),
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size(200_000),  # the new event file does not fit
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "überschreitet die erlaubte Größe" in run.stderr.strip().splitlines()[-1]
    assert _snapshot(state) == before
    assert not list(state.glob(".*.neu")) and not list(state.glob(".*.tmp"))


@pytest.mark.parametrize("name", [EVENTS_FILE, STATE_FILE])
def test_a_damaged_state_file_names_the_last_good_copy(tmp_path, name, capsys):
    from deliverability.cli import main

    state = tmp_path / "state"
    for part in ("a", "b"):  # two runs: the second keeps the first's files as the last good copy
        source = _bounces(tmp_path / f"{part}.csv", part, 10)
        args = ["suppress", "--state", str(state), str(source), "--out", str(tmp_path / "x.csv")]
        assert main(args) == 0
    backup = backup_path(state, name)
    assert backup.exists()
    (state / name).write_bytes(b"PAR1 kaputt")
    listing = tmp_path / "liste.csv"
    listing.write_text("email\na1@gmx.de\n", encoding="utf-8")
    # the events are read by suppress, the computed list by the address check
    command = (
        ["suppress", "--state", str(state), "--out", str(tmp_path / "y.csv")]
        if name == EVENTS_FILE
        else ["validate", str(listing), "--no-dns", "--suppression-state", str(state),
              "--out", str(tmp_path / "v")]
    )  # fmt: skip
    capsys.readouterr()
    assert main(command) == 1
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "beschädigt" in err and str(backup) in err
    shutil.copy(backup, state / name)  # the advice works
    assert main(command) == 0
