"""Odd options, outputs and inputs end in one German sentence or correct results (issue 19)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from deliverability.cli import main
from deliverability.errors import OutputError
from deliverability.export import check_output

EVENTS = (
    "timestamp,recipient,event,diagnostic\n"
    "2026-11-20T10:00:00+01:00,a@gmx.de,bounce,550 5.1.1 user unknown\n"
    "2026-11-20T10:00:00+01:00,b@gmx.de,delivered,\n"
)


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--nameserver", "abc", "keine IP-Adresse"),
        ("--nameserver", "999.1.1.1:53", "keine IP-Adresse"),
        ("--nameserver", "127.0.0.1:99999", "Zahl von 1 bis 65535"),
        ("--nameserver", "127.0.0.1:abc", "Zahl von 1 bis 65535"),
        ("--timeout", "inf", "höchstens 60 Sekunden"),
        ("--timeout", "nan", "höchstens 60 Sekunden"),
        ("--timeout", "-1", "mehr als 0"),
        ("--timeout", "drei", "keine Zahl"),
    ],
)
def test_dns_options_are_refused_in_german_before_any_work(option, value, words, tmp_path, capsys):
    listing = tmp_path / "liste.csv"
    listing.write_text("email\na@gmx.de\n")
    with pytest.raises(SystemExit) as stop:
        main(["validate", str(listing), "--out", str(tmp_path / "out"), option, value])
    assert stop.value.code == 2
    assert words in _error(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["rates", "weekly", "load", "report"])
def test_an_unknown_time_zone_is_refused_in_german(command, tmp_path, capsys):
    source = tmp_path / "e.csv"
    source.write_text(EVENTS)
    target = ["--out", str(tmp_path / "o.csv")]
    with pytest.raises(SystemExit):
        if command == "report":
            main(["report", "--input", str(source), *target, "--timezone", "Mars/Olympus"])
        else:
            main([command, str(source), *target, "--timezone", "Mars/Olympus"])
    assert "„Mars/Olympus“ ist keine bekannte Zeitzone" in _error(capsys)


def test_valid_name_servers_are_taken():
    from deliverability.lookup.domains import parse_nameserver

    assert parse_nameserver("127.0.0.1") == ("127.0.0.1", 53)
    assert parse_nameserver("127.0.0.1:5353") == ("127.0.0.1", 5353)
    assert parse_nameserver("[::1]:5353") == ("::1", 5353)
    assert parse_nameserver("::1") == ("::1", 53)


def test_an_output_under_a_file_is_refused_before_reading(tmp_path, capsys):
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    source = tmp_path / "e.csv"
    source.write_text(EVENTS)
    assert main(["load", str(source), "--out", str(blocker / "x.parquet")]) == 1
    assert "ist eine Datei, kein Ordner" in _error(capsys)
    assert main(["weekly", str(source), "--out", str(blocker)]) == 1
    assert "Ausgabeordner" in _error(capsys) and blocker.read_text() == "x"
    assert main(["rates", str(source), "--out", str(tmp_path)]) == 1
    assert "ist ein Ordner" in _error(capsys)


def _without_root_privilege() -> list[str]:
    """Root writes into read-only folders (capability CAP_DAC_OVERRIDE); as root, the command
    runs under util-linux `setpriv` with that capability dropped, as an analyst's account."""
    if os.geteuid() != 0:
        return []
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}"]


def test_a_read_only_folder_is_refused_before_any_work(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "e.csv"
    source.write_text(EVENTS)
    folder = tmp_path / "nur_lesen"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        command = [sys.executable, "-m", "deliverability", "rates", str(source)]
        done = subprocess.run(
            [*_without_root_privilege(), *command, "--out", str(folder / "x.csv")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert "Traceback" not in done.stderr
        assert done.returncode == 1, done.stderr
        assert f"der Ordner {folder} ist schreibgeschützt" in done.stderr
        assert list(folder.iterdir()) == []
        state = tmp_path / "state"
        assert (
            main(["suppress", str(source), "--state", str(state), "--out", str(tmp_path / "s.csv")])
            == 0
        )
        before = {p.name: p.read_bytes() for p in state.iterdir()}
        state.chmod(0o555)
        for args in (["suppress", str(source), "--out", str(tmp_path / "t.csv")],
                     ["restore", "a@gmx.de", "--reason", "Test"]):  # fmt: skip
            command = [sys.executable, "-m", "deliverability", *args, "--state", str(state)]
            done = subprocess.run(
                [*_without_root_privilege(), *command], capture_output=True, text=True, check=False
            )
            assert "Traceback" not in done.stderr and done.returncode == 1, done.stderr
            assert "schreibgeschützt" in done.stderr
            assert {p.name: p.read_bytes() for p in state.iterdir()} == before
    finally:
        folder.chmod(0o755)
        if (tmp_path / "state").exists():
            (tmp_path / "state").chmod(0o755)


def test_check_output_names_the_read_only_folder(tmp_path, monkeypatch):
    folder = tmp_path / "nur_lesen"
    folder.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != folder)
    with pytest.raises(OutputError, match="schreibgeschützt"):
        check_output(folder / "x.csv")
    with pytest.raises(OutputError, match="schreibgeschützt"):
        check_output(folder / "neu" / "x.csv")


def test_a_failed_write_is_one_sentence_and_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    from deliverability.export import write_bytes_atomic

    target = tmp_path / "alt.csv"
    target.write_text("alt")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="der Datenträger ist voll"):
        write_bytes_atomic(b"neu", target)
    assert target.read_text() == "alt"
    assert [p.name for p in tmp_path.iterdir()] == ["alt.csv"]  # no temporary file left


def test_an_unexpected_error_is_one_sentence_with_a_log_file(monkeypatch, capsys, crash_logs):
    from deliverability.cli import rates

    def broken(args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(rates, "run", broken)
    assert main(["rates", "x.csv", "--out", "y.csv"]) == 1
    line = _error(capsys)
    assert line.startswith("Fehler: Die Eingabe ist zu tief verschachtelt")
    logs = list(crash_logs.iterdir())
    assert len(logs) == 1 and str(logs[0]) in line
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "RecursionError" in text and "rates x.csv" in text


def test_a_field_over_128_kib_loads(tmp_path):
    import polars as pl

    source = tmp_path / "gross.csv"
    long = "x" * 300_000
    source.write_text(EVENTS.replace("550 5.1.1 user unknown", f"550 5.1.1 {long}"))
    assert main(["load", str(source), "--out", str(tmp_path / "e.parquet")]) == 0
    events = pl.read_parquet(tmp_path / "e.parquet")
    assert events.height == 2 and events["diagnostic"].str.len_chars().max() > 300_000


def _validate(tmp_path: Path, text: str, *extra: str) -> Path:
    source = tmp_path / "liste.csv"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["validate", str(source), "--out", str(out), "--no-dns", *extra]) == 0
    return out


def _rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=delimiter))


def test_validate_takes_a_one_column_list_with_a_header(tmp_path):
    out = _validate(tmp_path, "email\na@gmx.de\n+49123@gmx.de\nkaputt\n")
    assert _rows(out / "clean.csv") == [["email"], ["a@gmx.de"], ["+49123@gmx.de"]]
    held = _rows(out / "held_back.csv", ";")
    assert held[1][0] == "kaputt"


def test_validate_takes_a_bare_list_of_addresses(tmp_path):
    out = _validate(tmp_path, "a@gmx.de\nb@web.de\nkaputt\n", "--csv", "standard")
    assert _rows(out / "clean.csv") == [["a@gmx.de"], ["b@web.de"]]  # no header, like the input
    results = _rows(out / "results.csv")
    assert results[0][0] == "email" and [r[0] for r in results[1:]] == [
        "a@gmx.de",
        "b@web.de",
        "kaputt",
    ]


def test_a_row_with_more_fields_than_the_header_is_held_back_aligned(tmp_path):
    text = "email,name,ort\na@gmx.de,Meier, Hans,Berlin\nb@web.de,Roth,Köln\n"
    out = _validate(tmp_path, text, "--csv", "standard")
    results = _rows(out / "results.csv")
    assert all(len(row) == len(results[0]) for row in results)
    assert results[1][:4] == ["a@gmx.de", "Meier", " Hans,Berlin", "invalid"]
    assert results[1][4] == "ragged_row"
    assert _rows(out / "clean.csv") == [["email", "name", "ort"], ["b@web.de", "Roth", "Köln"]]


def test_the_history_keeps_addresses_exactly_and_safe_for_excel(tmp_path):
    from deliverability.suppression.store import HISTORY_FILE, StateDir

    store = StateDir(tmp_path / "state")
    store.record("add", "+49123@gmx.de", "=SUMME(1)", by="'Anna")
    text = (tmp_path / "state" / HISTORY_FILE).read_text(encoding="utf-8")
    assert ",'+49123@gmx.de," in text and ",'=SUMME(1)," in text and ",''Anna" in text
    row = store.history().row(0, named=True)
    assert (row["address"], row["email"], row["note"], row["by"]) == (
        "+49123@gmx.de",
        "+49123@gmx.de",
        "=SUMME(1)",
        "'Anna",
    )


def test_restore_on_a_mistyped_state_folder_creates_nothing(tmp_path, capsys):
    folder = tmp_path / "tippfehler"
    assert main(["restore", "a@gmx.de", "--state", str(folder), "--reason", "x"]) == 1
    assert "keine Sperrliste" in _error(capsys)
    assert not folder.exists()


def test_thousands_of_nested_mime_parts_are_one_sentence_naming_the_file(tmp_path, capsys):
    header = "From: a@b.de\nTo: c@d.de\nSubject: x\nMIME-Version: 1.0\n"
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(3000)
    )
    closing = "".join(f"--b{i}--\n" for i in reversed(range(3000)))
    mail = tmp_path / "tief.eml"
    mail.write_text(header + opening + "Content-Type: text/plain\n\nhallo\n" + closing)
    assert main(["load", str(mail), "--out", str(tmp_path / "e.parquet")]) == 1
    line = _error(capsys)
    assert str(mail) in line and "zu tief verschachtelt" in line
    assert main(["classify", str(mail)]) == 0  # one unreadable mail among many is skipped
    assert "Nicht lesbar" in capsys.readouterr().err


def test_placeholder_years_are_rejected_not_crashing_later(tmp_path, capsys):
    source = tmp_path / "jahre.csv"
    source.write_text(
        "timestamp,recipient,event\n"
        "0001-01-01T00:00:00+01:00,a@gmx.de,bounced\n"
        "9999-12-31T23:59:59-05:00,b@gmx.de,delivered\n"
        "0,c@gmx.de,delivered\n"
        "2026-11-20T10:00:00+01:00,d@gmx.de,delivered\n"
    )
    assert main(["rates", str(source), "--out", str(tmp_path / "r.csv"), "--csv", "standard"]) == 0
    assert "3 Eingabezeilen nicht verwendbar" in capsys.readouterr().out
    assert main(["load", str(source), "--out", str(tmp_path / "e.parquet")]) == 0
    import polars as pl

    assert pl.read_parquet(tmp_path / "e.parquet")["recipient"].to_list() == ["d@gmx.de"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[suppression]\nconsecutive_soft = 99999999999999999999\n", "höchstens 1000"),
        ('[suppression]\ncomplaints = "false"\n', "true oder false"),
    ],
)
def test_policy_values_of_the_wrong_type_or_size_are_refused(tmp_path, text, words, capsys):
    settings = tmp_path / "deliverability.toml"
    settings.write_text(text)
    source = tmp_path / "e.csv"
    source.write_text(EVENTS)
    state = tmp_path / "state"
    args = ["suppress", "--state", str(state), str(source), "--out", str(tmp_path / "x.csv")]
    assert main([*args, "--settings", str(settings)]) == 1
    assert words in _error(capsys)
    assert not (state / "ereignisse.parquet").exists()


def test_a_binary_file_as_limit_profile_or_policy_is_a_german_error(tmp_path, capsys):
    binary = tmp_path / "profil.toml"
    binary.write_bytes(b"\xff\xfe\x00\x81binary")
    sends = tmp_path / "sends.csv"
    sends.write_text("timestamp,recipient\n2026-11-20T10:00:00+01:00,a@gmx.de\n")
    args = ["replay", str(sends), "--profile", str(binary), "--out", str(tmp_path / "o.csv")]
    assert main(args) == 1
    assert "TOML" in _error(capsys)


def test_a_sends_file_with_impossible_recipient_counts_rejects_those_rows(tmp_path):
    sends = tmp_path / "sends.csv"
    sends.write_text(
        "requested_at,message_id,recipient,recipients\n"
        "2026-11-20T10:00:00+01:00,m1,a@gmx.de,-5\n"
        "2026-11-20T10:01:00+01:00,m2,b@gmx.de,99999999999999999999\n"
        "2026-11-20T10:02:00+01:00,m3,c@gmx.de,3\n"
        "2026-11-20T10:03:00+01:00,m4,d@gmx.de,x@a.de;y@b.de\n"
    )
    out = tmp_path / "o.csv"
    args = ["replay", str(sends), "--profile", "gmail", "--out", str(out), "--csv", "standard"]
    assert main(args) == 0
    rejects = _rows(tmp_path / "o_abgelehnte_zeilen.csv")
    assert [(row[1], row[2]) for row in rejects[1:]] == [("2", "recipients"), ("3", "recipients")]
    assert [row[0] for row in _rows(out)[1:]] == ["m3", "m4"]


def test_a_symlink_loop_in_a_mail_folder_counts_each_mail_once(tmp_path, capsys):
    folder = tmp_path / "post"
    folder.mkdir()
    (folder / "a.eml").write_text(
        "From: MAILER-DAEMON@mx.gmx.net\nTo: news@firma.de\nSubject: Undelivered Mail\n\n"
        "<weg@gmx.de>: host mx.gmx.net said: 550 5.1.1 user unknown\n"
    )
    (folder / "schleife").symlink_to(folder, target_is_directory=True)
    (folder / "zweiter-link.eml").symlink_to(folder / "a.eml")
    assert main(["classify", str(folder)]) == 0
    assert "1 Mails gelesen" in capsys.readouterr().err
