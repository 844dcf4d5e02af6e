"""`load_into_parquet`: one streaming pass writes the file `load_events` would give, with the
same rejects and accounting, or gives way (None, nothing written) to the usual load."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from deliverability.ingest import into_parquet, load_events
from deliverability.ingest.into_parquet import load_into_parquet

HEADER = "timestamp,message_id,recipient,event,bounce_type,diagnostic,source\n"


def _rows(start: int, count: int, *, second: int = 0) -> str:
    """`count` events from 10:00 + `start` seconds; every third a bounce without type."""
    lines = []
    for i in range(start, start + count):
        stamp = f"2026-11-23T10:{(second + i) // 60 % 60:02d}:{(second + i) % 60:02d}+01:00"
        if i % 3 == 0:
            lines.append(f"{stamp},m{i},r{i}@web.de,bounced,,550 5.1.1 user unknown,mta\n")
        else:
            lines.append(f"{stamp},m{i},r{i}@gmx.de,delivered,,250 ok,mta\n")
    return "".join(lines)


def _same_as_load_events(paths: list[Path], tmp_path: Path) -> into_parquet.Written:
    target = tmp_path / "out" / "ereignisse.parquet"
    target.parent.mkdir(exist_ok=True)
    written = load_into_parquet(paths, target, timezone="Europe/Berlin")
    assert written is not None
    expected = load_events(paths, timezone="Europe/Berlin")
    got = pl.read_parquet(target)
    assert got.equals(expected.events)
    assert written.events == expected.events.height
    assert written.rejects.equals(expected.rejects)
    assert written.files == expected.files
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no scratch left
    return written


def test_files_in_canonical_shape_stream_straight_into_the_file(tmp_path, monkeypatch):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(HEADER + _rows(0, 300), encoding="utf-8")
    second.write_text(HEADER + _rows(300, 300), encoding="utf-8")
    monkeypatch.setattr(into_parquet, "_merged", _never)
    _same_as_load_events([first, second], tmp_path)


def _never(*args: object) -> pl.DataFrame:
    raise AssertionError("the written events were read back")


def test_equal_times_across_line_number_widths_are_put_in_reference_order(tmp_path, monkeypatch):
    # lines 9 and 10 (and 99, 100) share their second: "a.csv:10" sorts before "a.csv:9"
    body = "".join(_rows(i, 1, second=(i + 1) // 2 - i) for i in range(140))
    path = tmp_path / "a.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    monkeypatch.setattr(into_parquet, "_merged", _never)  # put in order within the batch
    _same_as_load_events([path], tmp_path)
    refs = pl.read_parquet(tmp_path / "out" / "ereignisse.parquet").get_column("source_ref")
    for before, after in (("a.csv:10", "a.csv:9"), ("a.csv:100", "a.csv:99")):
        assert refs.to_list().index(before) < refs.to_list().index(after)


def test_files_given_out_of_time_order_are_put_in_order(tmp_path):
    late, early = tmp_path / "spaet.csv", tmp_path / "frueh.csv"
    late.write_text(HEADER + _rows(600, 200), encoding="utf-8")
    early.write_text(HEADER + _rows(0, 200), encoding="utf-8")
    _same_as_load_events([late, early], tmp_path)


def test_rows_off_the_fast_lane_are_checked_rejected_or_added_in_order(tmp_path):
    path = tmp_path / "gemischt.csv"
    path.write_text(
        HEADER
        + _rows(0, 50)
        + "2026-11-23T10:00:20+01:00,x1, <Gross@Web.DE> ,Bounced,,550 5.1.1 user unknown,mta\n"
        + "gestern,x2,c@web.de,sent,,,mta\n"
        + "2026-11-23T10:00:30+01:00,x3,kein-at,sent,,,mta\n"
        + "\n"
        + "2026-11-23T10:00:40+01:00,x4,d@müller.de,delivered,,250 ok,mta\n"
        + _rows(50, 50),
        encoding="utf-8",
    )
    written = _same_as_load_events([path], tmp_path)
    assert written.rejects.height == 2
    assert written.files[0].skipped_blank == 1
    domains = pl.read_parquet(tmp_path / "out" / "ereignisse.parquet")["recipient_domain"]
    assert "xn--mller-kva.de" in domains.to_list()


def test_gzip_and_german_excel_files_are_read_through_a_decoded_copy(tmp_path):
    zipped = tmp_path / "export.csv.gz"
    zipped.write_bytes(gzip.compress((HEADER + _rows(0, 100)).encode("utf-8")))
    excel = tmp_path / "excel.csv"
    excel.write_bytes(
        (
            HEADER.replace(",", ";")
            + _rows(100, 100).replace(",", ";")
            + "2026-11-23T11:00:00+01:00;m;ä@web.de;sent;;Grüße;mta\n"
        )
        .replace("\n", "\r\n")
        .encode("cp1252")
    )
    written = _same_as_load_events([zipped, excel], tmp_path)
    assert [f.encoding for f in written.files] == ["utf-8 (gzip)", "cp1252"]


@pytest.mark.parametrize(
    "body",
    [
        "2026-11-23T10:00:00+01:00,m1,a@web.de,sent,,,mta,zu viel\n",  # too many fields
        '2026-11-23T10:00:00+01:00,m1,a@web.de,bounced,,"550\nzweite Zeile",mta\n',
        "2026-11-23T10:00:00+01:00,m1,a@web.de,sent\n",  # a short row
    ],
)
def test_files_only_the_eager_loader_reads_exactly_are_left_to_it(tmp_path, body):
    path = tmp_path / "roh.csv"
    path.write_text(HEADER + _rows(0, 20) + body + _rows(20, 20), encoding="utf-8")
    target = tmp_path / "ereignisse.parquet"
    assert load_into_parquet([path], target, timezone="Europe/Berlin") is None
    assert not target.exists()


def test_other_formats_and_folders_are_left_to_the_usual_load(tmp_path):
    mail = tmp_path / "bounce.eml"
    mail.write_text("From: MAILER-DAEMON@x.de\nSubject: Undelivered\n\nkaputt\n", encoding="utf-8")
    target = tmp_path / "ereignisse.parquet"
    assert load_into_parquet([mail], target, timezone="Europe/Berlin") is None
    assert load_into_parquet([tmp_path], target, timezone="Europe/Berlin") is None
    csv = tmp_path / "a.csv"
    csv.write_text(HEADER + _rows(0, 5), encoding="utf-8")
    assert load_into_parquet([csv], target, timezone="Europe/Berlin", format="ses") is None
    assert not target.exists()


def test_the_load_command_streams_generic_csvs_and_reports_every_file(tmp_path, capsys):
    from deliverability.cli import main

    path = tmp_path / "gemischt.csv"
    path.write_text(HEADER + _rows(0, 40) + "gestern,x2,c@web.de,sent,,,mta\n", encoding="utf-8")
    target = tmp_path / "ereignisse.parquet"
    assert main(["load", str(path), "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert "41 Einträge gelesen = 40 geladen + 1 abgelehnt" in out
    assert "40 Ereignisse in" in out
    rejects = pl.read_csv(tmp_path / "ereignisse_abgelehnte_zeilen.csv", separator=";")
    assert rejects.height == 1
    assert pl.read_parquet(target).equals(load_events([path]).events)


def _bounces(start: int, count: int, *, unique: bool) -> str:
    text = "550 5.1.1 <r{i}@web.de>: Recipient address rejected (id {i:08x})"
    lines = [
        f"2026-11-23T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+01:00,m{i},r{i}@web.de,"
        f"bounced,,{text.format(i=i) if unique else '550 5.1.1 user unknown'},mta\n"
        for i in range(start, start + count)
    ]
    return "".join(lines)


def test_a_log_whose_failure_texts_all_differ_is_left_to_the_usual_load(tmp_path):
    path = tmp_path / "bounces.csv"
    path.write_text(HEADER + _bounces(0, 400, unique=True), encoding="utf-8")
    target = tmp_path / "ereignisse.parquet"
    assert load_into_parquet([path], target, timezone="Europe/Berlin") is None
    assert not target.exists()


def test_texts_that_stop_repeating_are_classified_at_the_end_in_one_go(tmp_path, monkeypatch):
    path = tmp_path / "bounces.csv"
    body = _bounces(0, 2_500, unique=False) + _bounces(2_500, 1_500, unique=True)
    path.write_text(HEADER + body, encoding="utf-8")
    monkeypatch.setattr(into_parquet, "MAX_RUNS", 1)
    runs = []
    original = into_parquet._merged
    monkeypatch.setattr(
        into_parquet, "_merged", lambda *a, **k: runs.append(k) or original(*a, **k)
    )
    _same_as_load_events([path], tmp_path)
    assert runs == [{"classify": True}]
    reasons = pl.read_parquet(tmp_path / "out" / "ereignisse.parquet").get_column("reason")
    assert reasons.null_count() == 0


def test_an_error_in_a_decoded_copy_names_the_analysts_file(tmp_path):
    from deliverability.errors import InputError

    zipped = tmp_path / "export.csv.gz"
    zipped.write_bytes(gzip.compress(b"datum;empfaenger;ereignis\n23.11.2026;a@web.de;gesendet\n"))
    with pytest.raises(InputError) as raised:
        load_into_parquet([zipped], tmp_path / "e.parquet", timezone="Europe/Berlin")
    assert str(zipped) in str(raised.value)
    assert "deliverability-" not in str(raised.value)


def test_failures_met_in_the_files_heads_are_classified_before_the_stream(tmp_path, monkeypatch):
    from deliverability.classify import streaming

    paths = []
    for index in range(2):  # the same few failures over and over, as in a log
        path = tmp_path / f"log-{index}.csv"
        path.write_text(HEADER + _rows(index * 30_000, 30_000), encoding="utf-8")
        paths.append(path)
    runs = []
    original = streaming.classify_failures
    monkeypatch.setattr(
        streaming, "classify_failures", lambda rows: runs.append(1) or original(rows)
    )
    runs_before_stream = []
    stream = into_parquet._stream
    monkeypatch.setattr(
        into_parquet, "_stream", lambda *a: runs_before_stream.append(len(runs)) or stream(*a)
    )
    _same_as_load_events(paths, tmp_path)
    assert runs_before_stream == [1]  # the heads' failures, in one run
    assert len(runs) == 1  # no batch of the stream needed (and waited for) another
