"""The streaming CSV path gives the same events, rejects and accounting as the eager loader."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from deliverability.config import sample_inputs
from deliverability.ingest import registry
from deliverability.ingest.fast_csv import load_generic_csv_fast
from deliverability.ingest.generic_csv import load_generic_csv
from deliverability.ingest.timestamps import (
    detect_timestamp_format,
    parse_timestamp_values,
    strptime_expr,
)


def _same(path: Path) -> None:
    fast = load_generic_csv_fast(path, "Europe/Berlin")
    assert fast is not None
    eager = load_generic_csv(path, timezone="Europe/Berlin")
    order = ["source_ref"]
    assert fast[0].sort(order).equals(eager[0].sort(order))
    assert fast[1].sort("line").equals(eager[1].sort("line"))
    for field in ("read", "loaded", "rejected", "skipped_blank"):
        assert getattr(fast[2], field) == getattr(eager[2], field), field


def test_streaming_path_equals_eager_loader_on_the_sample(tmp_path):
    import gzip

    for source in sample_inputs():
        plain = tmp_path / source.name.removesuffix(".gz")
        data = gzip.decompress(source.read_bytes())
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            assert load_generic_csv_fast(source, "Europe/Berlin") is None  # cp1252: eager
            continue
        plain.write_bytes(data)
        _same(plain)


def test_streaming_path_rejects_with_exact_lines(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,message_id,recipient,event,diagnostic\n"
        "2026-11-23T10:00:00+01:00,m1,a@web.de,sent,\n"
        '2026-11-23T10:00:01+01:00,m2,b@web.de,bounced,"550 user unknown, ""quoted"""\n'
        "\n"
        "gestern,m3,c@web.de,sent,\n"
        "23.11.2026 10:05,m4,kein-at,sent,\n"
        "2026-11-23 10:06,m5,d@web.de,explodiert,\n"
        "2026-11-23 10:08,m7, <F@Web.DE> ,DELIVERED,250 ok\n"
        "2026-11-23 10:09,m8,g@ web.de.,delivered,250 ok\n",
        encoding="utf-8",
    )
    _same(path)
    events, rejects, stats = load_generic_csv_fast(path, "Europe/Berlin")
    assert rejects.select("line", "field").rows() == [
        (5, "timestamp"),
        (6, "recipient"),
        (7, "event"),
    ]
    assert rejects["raw"][0].startswith("gestern,m3")
    assert (stats.read, stats.loaded, stats.skipped_blank) == (7, 4, 1)
    assert events.filter(pl.col("message_id") == "m8")["recipient_domain"].to_list() == ["web.de"]
    assert events.filter(pl.col("message_id") == "m7")["recipient_domain"].to_list() == ["web.de"]


@pytest.mark.parametrize(
    "text, rejected, refs",
    [
        (  # the record with the line break is the last field's: an empty last field shows it
            "timestamp,recipient,event,diagnostic\n"
            '2026-11-23T10:00:00+01:00,a@web.de,bounced,"550 user unknown\nsecond line"\n'
            "gestern,b@web.de,sent,\n"
            "2026-11-23T10:00:02+01:00,c@web.de,sent,\n",
            [4],
            ["events.csv:2", "events.csv:5"],
        ),
        (  # every last field present: fewer records than lines show it
            "timestamp,recipient,event,diagnostic,source\n"
            '2026-11-23T10:00:00+01:00,a@web.de,bounced,"550 user unknown\nsecond line",x\n'
            "2026-11-23T10:00:02+01:00,c@web.de,sent,,x\n",
            [],
            ["events.csv:2", "events.csv:4"],
        ),
    ],
)
def test_a_quoted_line_break_hands_the_file_to_the_eager_loader(tmp_path, text, rejected, refs):
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    assert load_generic_csv_fast(path, "Europe/Berlin") is None
    ((events, rejects, _),) = registry.load_files([path], "Europe/Berlin")
    assert rejects["line"].to_list() == rejected
    assert events["source_ref"].to_list() == refs


def test_complete_records_skip_the_line_count(tmp_path, monkeypatch):
    """Every last field present and no line break in a field: no record can be short or span
    lines, so the delimiters of the physical lines are not counted."""
    from deliverability.ingest import fast_csv

    def counted(*args):
        raise AssertionError("irregular_lines should not run")

    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,recipient,event,source\n"
        "2026-11-23T10:00:00+01:00,a@web.de,sent,x\n"
        "2026-11-23T10:00:01+01:00,b@web.de,sent,x\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(fast_csv, "irregular_lines", counted)
    events, rejects, _ = load_generic_csv_fast(path, "Europe/Berlin")
    assert (events.height, rejects.height) == (2, 0)


def test_a_short_row_hands_the_file_to_the_eager_loader(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,recipient,event,diagnostic\n"
        "2026-11-23T10:00:00+01:00,a@web.de,sent,ok\n"
        "2026-11-23T10:00:01+01:00,b@web.de,sent\n",
        encoding="utf-8",
    )
    assert load_generic_csv_fast(path, "Europe/Berlin") is None
    ((_, rejects, _),) = registry.load_files([path], "Europe/Berlin")
    assert rejects["reason"][0].startswith("Die Zeile hat 3 statt 4 Felder")


def test_too_many_fields_are_rejected_as_the_eager_loader_rejects_them(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,recipient,event\n2026-11-23T10:00:00+01:00,a@web.de,sent,zuviel\n",
        encoding="utf-8",
    )
    _same(path)  # the fast path gives the eager loader's events and rejects
    ((_, rejects, _),) = registry.load_files([path], "Europe/Berlin")
    assert rejects["reason"][0] == "Die Zeile hat 4 statt 3 Felder (Trennzeichen: Komma)."


@pytest.mark.parametrize(
    "values",
    [
        ["2026-11-23T10:00:00+01:00", "2026-10-25T02:30:00+02:00", "23.11.2026 10:00", "x", None],
        ["23.11.2026 10:00", "25.10.2026 02:30", "29.03.2026 02:30", "2026-11-23T10:00:00Z"],
        ["2026-11-23 10:00:00", "1794906000", "1794906000123"],
    ],
)
def test_fast_timestamps_equal_the_general_parser(values):
    """Where the detected format reads a value (fast lane), it reads it like the general
    parser; the other values go through the general parser."""
    fmt = detect_timestamp_format(values[:1], "Europe/Berlin")
    assert fmt is not None
    frame = pl.DataFrame({"t": values})
    general = parse_timestamp_values(frame.get_column("t"), "Europe/Berlin")
    fast = frame.select(strptime_expr(pl.col("t"), fmt, "Europe/Berlin")).to_series()
    read = fast.is_not_null()
    assert read.any()
    assert fast.filter(read).equals(general.filter(read))


def test_blank_fields_are_missing_as_in_the_eager_loader(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,recipient,event\n"
        "2026-11-23T10:00:00+01:00,   ,sent\n"
        "   ,a@web.de,sent\n"
        "2026-11-23T10:00:00+01:00,b@web.de,sent\n",
        encoding="utf-8",
    )
    _same(path)
    rejects = load_generic_csv_fast(path, "Europe/Berlin")[1]
    assert rejects["reason"].to_list() == ["Empfängeradresse fehlt.", "Zeitstempel fehlt."]


def test_windows_line_endings_give_the_same_events(tmp_path):
    path = tmp_path / "events.csv"
    path.write_bytes(
        b"timestamp,recipient,event,source\r\n"
        b"2026-11-23T10:00:00+01:00,a@web.de,sent,mailjet\r\n"
        b"2026-11-23T10:00:01+01:00,b@web.de,bounced,\r\n"
    )
    _same(path)
    events = load_generic_csv_fast(path, "Europe/Berlin")[0]
    assert events["source"].to_list() == ["mailjet", "generic_csv"]


def test_gzip_and_german_excel_files_take_the_streaming_path_alike(tmp_path):
    """gzip, cp1252 with `;`, CRLF and German dates: the streaming path through a decoded
    copy gives what the eager loader gives, accounted to the original file."""
    import gzip

    from deliverability.ingest.fast_csv import load_generic_csv_normalized

    source = sample_inputs()[2]  # gzip, UTF-8, ISO timestamps
    frame = pl.read_csv(source, infer_schema=False)
    german = frame.with_columns(
        timestamp=pl.col("timestamp")
        .str.to_datetime(time_unit="us", time_zone="UTC")
        .dt.convert_time_zone("Europe/Berlin")
        .dt.strftime("%d.%m.%Y %H:%M:%S")
    )
    excel = tmp_path / "export.csv"
    excel.write_bytes(german.write_csv(separator=";", line_terminator="\r\n").encode("cp1252"))
    packed = tmp_path / "export-2.csv.gz"
    packed.write_bytes(gzip.compress(excel.read_bytes()))
    assert "ü".encode("cp1252") in excel.read_bytes()  # umlauts in cp1252, not UTF-8
    for path in (source, excel, packed):
        fast = load_generic_csv_normalized(path, "Europe/Berlin")
        assert fast is not None, path
        eager = load_generic_csv(path, timezone="Europe/Berlin")
        assert fast[0].sort("source_ref").equals(eager[0].sort("source_ref"))
        assert fast[1].sort("line").equals(eager[1].sort("line"))
        for field in ("path", "encoding", "read", "loaded", "rejected", "skipped_blank"):
            assert getattr(fast[2], field) == getattr(eager[2], field), field
    assert fast[2].encoding == "cp1252 (gzip)" and fast[0].height > 10_000


def test_german_headers_and_words_take_the_same_path_results(tmp_path):
    path = tmp_path / "ereignisse.csv"
    path.write_text(
        "Zeitstempel;E-Mail-Adresse;Ereignis;Bounce-Typ;Quelle\n"
        "23.11.2026 09:00;anna@web.de;Zugestellt;;crm\n"
        "23.11.2026 09:01;bernd@gmx.de;Hardbounce;;crm\n"
        "23.11.2026 09:02;carla@gmx.de;zurückgewiesen;weich;crm\n"
        "23.11.2026 09:03;dora@gmx.de;angekommen;;crm\n",
        encoding="utf-8",
    )
    _same(path)
    events, rejects, _ = load_generic_csv_fast(path, "Europe/Berlin")
    assert events.sort("source_ref")["bounce_type"].cast(pl.String).to_list() == [
        None,
        "hard",
        "soft",
    ]
    assert rejects["line"].to_list() == [5]


def test_rows_with_more_fields_are_rejected_and_the_file_stays_on_the_fast_path(tmp_path):
    path = tmp_path / "export.csv"
    rows = [
        f"2026-11-23T10:{i % 60:02d}:00+01:00;m{i};a@firma.de;k{i}@web.de;sent;;;;;;crm"
        for i in range(50)
    ]
    rows[10] = (  # an unquoted ";" in the text, as Excel exports it
        "2026-11-23T10:10:00+01:00;m10;a@firma.de;k10@web.de;bounced;soft;;452;4.2.2;"
        "452 4.2.2 Mailbox full; try again later;crm"
    )
    rows[20] = (  # the same text in quotes: one field, loaded
        "2026-11-23T10:20:00+01:00;m20;a@firma.de;k20@web.de;bounced;soft;;452;4.2.2;"
        '"452 4.2.2 Mailbox full; try again later";crm'
    )
    rows[30] = "kaputt;m30;a@firma.de;k30@web.de;sent;;;;;;crm;;"  # two problems
    header = "timestamp;message_id;sender;recipient;event;bounce_type;reason;smtp_code;status;"
    path.write_text(header + "diagnostic;source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    fast = load_generic_csv_fast(path, "Europe/Berlin")
    assert fast is not None  # not handed to the eager loader
    _same(path)
    rejects = fast[1]
    assert rejects["line"].to_list() == [12, 32]
    assert rejects["field"].to_list() == ["(Zeile)", "(Zeile), timestamp"]
    assert rejects["reason"][0] == "Die Zeile hat 12 statt 11 Felder (Trennzeichen: Semikolon)."
    assert rejects["raw"][0] == rows[10]
    loaded = fast[0].filter(pl.col("message_id") == "m20")
    assert loaded["diagnostic"].to_list() == ["452 4.2.2 Mailbox full; try again later"]
