"""Suppression state with history: escalation, restores, idempotent runs, exports."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from deliverability.cli import main
from deliverability.errors import DeliverabilityError
from deliverability.ingest import load_events
from deliverability.suppression.exports import FORMATS, write_export
from deliverability.suppression.policy import SuppressionPolicy, load_policy
from deliverability.suppression.state import build_state, empty_history, state_until
from deliverability.suppression.store import StateDir

from ..conftest import HEADER
from ..notebook_output import run_notebook, shown_text


def _row(day: int, address: str, kind: str, ref: str = "") -> str:
    """One event line: kind is soft, hard, block, delivered, complaint or unsubscribe."""
    stamp = f"2026-11-{day:02d} 10:00"
    return {
        "soft": f"{stamp},s{day}{ref},a@x.de,{address},bounced,soft,,452,4.2.2,452 4.2.2 Mailbox full,esp",
        "hard": f"{stamp},h{day}{ref},a@x.de,{address},bounced,hard,,550,5.1.1,550 5.1.1 user unknown,esp",
        "block": f"{stamp},b{day}{ref},a@x.de,{address},bounced,hard,,554,,"
        "554 IP=192.0.2.1 - None/bad reputation (NOWL),esp",
        "delivered": f"{stamp},d{day}{ref},a@x.de,{address},delivered,,,250,,,esp",
        "complaint": f"{stamp},c{day}{ref},a@x.de,{address},complained,,,,,,esp",
        "unsubscribe": f"{stamp},u{day}{ref},a@x.de,{address},unsubscribed,,,,,,esp",
    }[kind]


def _events(rows: list[str], write_csv, name: str = "events.csv") -> Path:
    return write_csv(HEADER + "\n" + "\n".join(rows) + "\n", name)


def _state(rows, write_csv, history=None, policy=None) -> pl.DataFrame:
    events = load_events([_events(rows, write_csv)]).events.lazy()
    return build_state(events, history if history is not None else empty_history(), policy)


def _status(state: pl.DataFrame) -> dict[str, tuple[str, str | None]]:
    return {r["address"]: (r["status"], r["trigger"]) for r in state.iter_rows(named=True)}


def test_five_consecutive_soft_bounces_with_a_delivery_in_between(write_csv):
    four = [_row(d, "voll@gmx.de", "soft") for d in range(2, 6)]
    after = [_row(d, "voll@gmx.de", "soft") for d in range(7, 10)]
    state = _state([*four, _row(6, "voll@gmx.de", "delivered"), *after], write_csv)
    assert _status(state) == {"voll@gmx.de": ("watch", None)}
    assert state["soft_bounces"].to_list() == [3]
    state = _state([*four, _row(6, "voll@gmx.de", "soft")], write_csv)
    row = state.row(0, named=True)
    assert (row["status"], row["trigger"], row["bounce_type"]) == (
        "suppressed",
        "escalated",
        "hard",
    )
    assert row["refs"].count("events.csv:") == 5  # the five soft bounces that caused it


def test_policy_threshold_days_and_sender_reasons(write_csv):
    rows = [
        _row(2, "voll@gmx.de", "soft"),
        _row(3, "voll@gmx.de", "soft"),
        _row(12, "voll@gmx.de", "soft"),
    ]
    assert _status(_state(rows, write_csv))["voll@gmx.de"][0] == "watch"
    by_days = _state(rows, write_csv, policy=SuppressionPolicy(soft_days=10))
    assert _status(by_days)["voll@gmx.de"] == ("suppressed", "escalated")
    assert _status(_state(rows, write_csv, policy=SuppressionPolicy(consecutive_soft=3)))[
        "voll@gmx.de"
    ] == ("suppressed", "escalated")
    blocks = [_row(d, "gut@t-online.de", "block") for d in range(2, 12)]
    assert _state(blocks, write_csv).is_empty()  # the sender is blocked, not the address
    no_complaints = SuppressionPolicy(complaints=False)
    assert _state([_row(2, "b@web.de", "complaint")], write_csv, policy=no_complaints).is_empty()


def test_policy_file_is_validated(tmp_path):
    path = tmp_path / "regeln.toml"
    path.write_text("consecutive_soft = 3\nsoft_days = 14\n")
    assert load_policy(path) == SuppressionPolicy(consecutive_soft=3, soft_days=14)
    path.write_text('sender_reasons = ["gibtsnicht"]\n')
    with pytest.raises(Exception, match="gibtsnicht"):
        load_policy(path)


def test_restore_survives_a_rerun_and_a_new_hard_bounce_suppresses_again(write_csv, tmp_path):
    store = StateDir(tmp_path / "state")
    first = _events([_row(2, "weg@gmx.de", "hard"), _row(3, "voll@web.de", "hard")], write_csv)
    store.add_events(load_events([first]).events)
    policy = SuppressionPolicy()
    assert _status(store.rebuild(policy))["weg@gmx.de"] == ("suppressed", "hard_bounce")
    store.record("restore", "Weg@GMX.de", "Postfach wieder da, Kunde hat bestätigt", "k.schulz",
                 when=datetime(2026, 11, 10, tzinfo=UTC))  # fmt: skip
    for _ in range(2):  # a re-run with the same events keeps the restore
        store.add_events(load_events([first]).events)
        state = store.rebuild(policy)
        row = state.filter(pl.col("address") == "weg@gmx.de").row(0, named=True)
        assert (row["status"], row["restored_by"]) == ("restored", "k.schulz")
        assert row["note"] == "Postfach wieder da, Kunde hat bestätigt"
    later = _events([_row(12, "weg@gmx.de", "hard", "x")], write_csv, "later.csv")
    store.add_events(load_events([later]).events)
    row = store.rebuild(policy).filter(pl.col("address") == "weg@gmx.de").row(0, named=True)
    assert (row["status"], row["trigger"]) == ("suppressed", "hard_bounce")
    assert row["suppressed_at"] == datetime(2026, 11, 12, 9, tzinfo=UTC)
    assert len(store.history()) == 1  # the history is only appended to by manual actions


def test_state_until_is_the_list_as_it_stood_then(write_csv, tmp_path):
    store = StateDir(tmp_path / "state")
    rows = [_row(2, "weg@gmx.de", "hard"), _row(12, "spaet@web.de", "hard")]
    rows += [_row(d, "voll@gmx.de", "soft") for d in (3, 4, 5, 6, 13)]
    store.add_events(load_events([_events(rows, write_csv)]).events)
    store.record("restore", "weg@gmx.de", "Kunde hat bestätigt", "k.schulz",
                 when=datetime(2026, 11, 11, tzinfo=UTC))  # fmt: skip
    policy = SuppressionPolicy()
    now = _status(store.rebuild(policy))
    assert now == {
        "weg@gmx.de": ("restored", None),
        "spaet@web.de": ("suppressed", "hard_bounce"),
        "voll@gmx.de": ("suppressed", "escalated"),
    }
    then = state_until(
        store.events().lazy(), store.history(), policy, datetime(2026, 11, 10, tzinfo=UTC)
    )
    # before the restore, the later hard bounce and the fifth soft bounce
    assert _status(then) == {
        "weg@gmx.de": ("suppressed", "hard_bounce"),
        "voll@gmx.de": ("watch", None),
    }
    assert then.filter(pl.col("address") == "voll@gmx.de")["soft_bounces"].to_list() == [4]


def test_rerun_is_idempotent(write_csv, tmp_path):
    store = StateDir(tmp_path / "state")
    rows = [_row(d, "voll@gmx.de", "soft") for d in range(2, 8)] + [_row(2, "x@web.de", "hard")]
    path = _events(rows, write_csv)
    store.add_events(load_events([path]).events)
    first = store.rebuild(SuppressionPolicy())
    events_before = store.events().height
    copy = _events(rows, write_csv, "copy.csv")  # the same events again, from another file
    store.add_events(load_events([path, copy]).events)
    assert store.events().height == events_before
    assert store.rebuild(SuppressionPolicy()).equals(first)


def test_manual_addition_and_idn(write_csv, tmp_path):
    store = StateDir(tmp_path / "state")
    store.record("add", "Müller@Bücher.de", "Kunde wünscht keine Mails", "m.becker")
    state = store.rebuild(SuppressionPolicy())
    row = state.row(0, named=True)
    assert (row["address"], row["email"]) == ("müller@xn--bcher-kva.de", "Müller@xn--bcher-kva.de")
    assert (row["status"], row["trigger"], row["note"]) == (
        "suppressed",
        "manual",
        "Kunde wünscht keine Mails",
    )
    with pytest.raises(Exception, match="Grund"):
        store.record("restore", "Müller@Bücher.de", "   ")


#: format → (header line or None, first data line) for the state of EXPORT_ROWS
EXPECTED_EXPORTS = {
    "generic": (
        "email,status,reason,bounce_type,first_seen,last_seen,events,source",
        "Weg@xn--bcher-kva.de,suppressed,userunknown,hard,2026-11-02T09:00:00Z,2026-11-02T09:00:00Z,1,esp",
    ),
    "mailjet": ("email", "Weg@xn--bcher-kva.de"),
    "sendgrid": ("email", "Weg@xn--bcher-kva.de"),
    "brevo": ("EMAIL", "Weg@xn--bcher-kva.de"),
    "mailchimp": ("Email Address", "Weg@xn--bcher-kva.de"),
    "hubspot": ("Email", "Weg@xn--bcher-kva.de"),
    "zoho_crm": ("Email,Email Opt Out", "Weg@xn--bcher-kva.de,true"),
    "ses": (None, "Weg@xn--bcher-kva.de,BOUNCE"),
    "zendesk_sell": ("email", "Weg@xn--bcher-kva.de"),
}
EXPORT_ROWS = [
    _row(2, "Weg@Bücher.de", "hard"),
    _row(3, "=HYPERLINK(1)@web.de", "complaint"),
    _row(4, "raus@gmx.de", "unsubscribe"),
]


@pytest.mark.parametrize("fmt", sorted(EXPECTED_EXPORTS))
def test_every_export_format(fmt, write_csv, tmp_path):
    assert set(EXPECTED_EXPORTS) == set(FORMATS)
    state = _state(EXPORT_ROWS, write_csv)
    path, rows = write_export(state, fmt, tmp_path / f"{fmt}.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    header, first = EXPECTED_EXPORTS[fmt]
    # the project's own format is read by people too: never a formula there; an import file
    # carries the address exactly as it is (the system would otherwise block another one)
    shown = "'=HYPERLINK(1)@web.de" if fmt == "generic" else "=HYPERLINK(1)@web.de"
    if header is None:
        assert lines[0] == first
        assert rows == 2 and lines[1] == f"{shown},COMPLAINT"  # no unsubscribes
    else:
        assert lines[0] == header
        assert lines[1] == first
        assert rows == 3
        assert any(line.startswith(f"{shown},") or line == shown for line in lines)


@pytest.mark.parametrize("fmt", sorted(set(EXPECTED_EXPORTS) - {"generic"}))
def test_excel_variant_of_an_import_format_is_neutralised(fmt, write_csv, tmp_path):
    state = _state(EXPORT_ROWS, write_csv)
    path, _ = write_export(state, fmt, tmp_path / f"{fmt}.csv", excel=True)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)@web.de" in text and "\n=HYPERLINK" not in text


def test_excel_variant_and_since_last(write_csv, tmp_path):
    state = _state(EXPORT_ROWS, write_csv)
    path, _ = write_export(state, "generic", tmp_path / "excel.csv", excel=True)
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines()[0].startswith("email;status;reason")
    _, rows = write_export(
        state, "hubspot", tmp_path / "neu.csv", since=datetime(2026, 11, 3, 12, tzinfo=UTC)
    )
    assert rows == 1  # only the unsubscribe of 4.11. is newer


def test_a_crash_during_export_leaves_no_partial_file(write_csv, tmp_path, monkeypatch):
    state = _state(EXPORT_ROWS, write_csv)
    target = tmp_path / "export.csv"
    target.write_text("alter, vollständiger Export\n")

    def crash(*_args, **_kwargs):
        raise OSError("Datenträger voll")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(DeliverabilityError, match="Datenträger voll"):
        write_export(state, "generic", target)
    assert target.read_text() == "alter, vollständiger Export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".export.csv")] == []


def test_cli_suppress_restore_and_since_last(write_csv, tmp_path, capsys):
    events = _events([_row(2, "weg@gmx.de", "hard"), _row(3, "auch@web.de", "hard")], write_csv)
    state_dir, out = tmp_path / "state", tmp_path / "sperre.csv"
    assert (
        main(
            [
                "suppress",
                str(events),
                "--state",
                str(state_dir),
                "--format",
                "brevo",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_text().splitlines() == ["EMAIL", "weg@gmx.de", "auch@web.de"]
    assert (
        main(
            [
                "suppress",
                "--state",
                str(state_dir),
                "--format",
                "brevo",
                "--since-last",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_text().splitlines() == ["EMAIL"]  # nothing new since the last export
    assert (
        main(
            [
                "restore",
                "weg@gmx.de",
                "--state",
                str(state_dir),
                "--reason",
                "Tippfehler korrigiert",
            ]
        )
        == 0
    )
    assert (
        main(["suppress", "--state", str(state_dir), "--format", "brevo", "--out", str(out)]) == 0
    )
    assert out.read_text().splitlines() == ["EMAIL", "auch@web.de"]
    history = list(csv.DictReader(io.StringIO((state_dir / "verlauf.csv").read_text())))
    assert [(h["action"], h["email"], h["note"]) for h in history] == [
        ("restore", "weg@gmx.de", "Tippfehler korrigiert")
    ]
    assert main(["restore", "nie@gesperrt.de", "--state", str(state_dir), "--reason", "x"]) == 1
    assert "nicht auf der Sperrliste" in capsys.readouterr().err


def test_two_runs_at_once_take_turns_and_lose_no_event(write_csv, tmp_path):
    import fcntl
    import threading

    store = StateDir(tmp_path / "state")
    store.add_events(load_events([_events([_row(2, "a@gmx.de", "hard")], write_csv)]).events)
    later = load_events([_events([_row(3, "b@web.de", "hard")], write_csv, "later.csv")]).events
    with (tmp_path / "state" / ".lauf.lock").open("a") as other_run:
        fcntl.flock(other_run, fcntl.LOCK_EX)  # another run is changing the folder
        adding = threading.Thread(target=store.add_events, args=(later,))
        adding.start()
        adding.join(timeout=0.5)
        assert adding.is_alive()  # waits for its turn …
        assert store.events()["recipient"].to_list() == ["a@gmx.de"]
        fcntl.flock(other_run, fcntl.LOCK_UN)
    adding.join(timeout=10)
    assert store.events()["recipient"].to_list() == ["a@gmx.de", "b@web.de"]  # … then merges


def test_cli_suppress_without_out_changes_no_state(write_csv, tmp_path, capsys):
    events = _events([_row(2, "weg@gmx.de", "hard")], write_csv)
    state_dir = tmp_path / "state"
    assert main(["suppress", str(events), "--state", str(state_dir)]) == 1
    assert "Bitte mit --out angeben" in capsys.readouterr().err
    assert not state_dir.exists() or list(state_dir.iterdir()) == []


@pytest.mark.slow
def test_sperrliste_notebook_runs_with_papermill(write_csv, tmp_path):
    events = _events(
        [_row(d, "voll@gmx.de", "soft") for d in range(2, 5)]
        + [_row(16, "weg@gmx.de", "hard"), _row(17, "x@web.de", "complaint")],
        write_csv,
    )
    state_dir, out_dir = tmp_path / "state", tmp_path / "exporte"
    StateDir(state_dir).record(
        "restore",
        "alt@web.de",
        "Kunde hat angerufen",
        "k.schulz",
        when=datetime(2026, 11, 1, tzinfo=UTC),
    )
    parameters = {
        "inputs": [str(events)],
        "state_dir": str(state_dir),
        "out_dir": str(out_dir),
        "formats": ["generic", "hubspot"],
    }
    html = shown_text(run_notebook("sperrliste.ipynb", tmp_path, parameters))
    assert "weg@gmx.de" in html and "Beschwerde" in html  # new this week (W47)
    assert "voll@gmx.de" in html  # under watch with 3 soft bounces
    assert "Kunde hat angerufen" in html  # the history
    assert (out_dir / "sperrliste-hubspot.csv").read_text().splitlines() == [
        "Email",
        "weg@gmx.de",
        "x@web.de",
    ]
    exported = StateDir(state_dir).last_exports()
    # an earlier week: the list as it stood at its end, and no mark as the last export
    parameters |= {"out_dir": str(tmp_path / "w45"), "formats": "hubspot", "week": "KW 45/2026"}
    html = shown_text(run_notebook("sperrliste.ipynb", tmp_path, parameters))
    assert (tmp_path / "w45" / "sperrliste-hubspot.csv").read_text().splitlines() == ["Email"]
    assert StateDir(state_dir).last_exports() == exported
    assert "voll@gmx.de" in html and "weg@gmx.de" not in html


def test_sperrliste_notebook_is_committed_without_outputs():
    import json

    from deliverability.config import NOTEBOOK_DIR

    notebook = json.loads((NOTEBOOK_DIR / "sperrliste.ipynb").read_text())
    assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")
    assert ["parameters"] in [c["metadata"].get("tags", []) for c in notebook["cells"]]
