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
    parse_timestamp,
    parse_timestamp_fast,
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
        '2026-11-23T10:00:01+01:00,m2,b@web.de,bounced,"550 user unknown\nsecond line"\n'
        "\n"
        "gestern,m3,c@web.de,sent,\n"
        "23.11.2026 10:05,m4,kein-at,sent,\n"
        "2026-11-23 10:06,m5,d@web.de,explodiert,\n",
        encoding="utf-8",
    )
    _same(path)
    events, rejects, stats = load_generic_csv_fast(path, "Europe/Berlin")
    assert rejects.select("line", "field").rows() == [
        (6, "timestamp"),
        (7, "recipient"),
        (8, "event"),
    ]
    assert rejects["raw"][0].startswith("gestern,m3")
    assert (stats.read, stats.loaded, stats.skipped_blank) == (5, 2, 1)


def test_too_many_fields_fall_back_to_the_eager_loader(tmp_path, monkeypatch):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,recipient,event\n2026-11-23T10:00:00+01:00,a@web.de,sent,zuviel\n",
        encoding="utf-8",
    )
    assert load_generic_csv_fast(path, "Europe/Berlin") is None
    monkeypatch.setattr(registry, "STREAMING_FROM_BYTES", 0)
    ((_, rejects, _),) = registry.load_files([path], "Europe/Berlin")
    assert "Felder" in rejects["reason"][0]


@pytest.mark.parametrize(
    "values",
    [
        ["2026-11-23T10:00:00+01:00", "2026-10-25T02:30:00+02:00", "23.11.2026 10:00", "x", None],
        ["23.11.2026 10:00", "25.10.2026 02:30", "29.03.2026 02:30", "2026-11-23T10:00:00Z"],
        ["2026-11-23 10:00:00", "1794906000", "1794906000123"],
    ],
)
def test_fast_timestamps_equal_the_general_parser(values):
    fmt = detect_timestamp_format(values[:2], "Europe/Berlin")
    frame = pl.DataFrame({"t": values})
    general = frame.select(parse_timestamp(pl.col("t"), "Europe/Berlin")).to_series()
    fast = frame.select(parse_timestamp_fast(pl.col("t"), "Europe/Berlin", fmt)).to_series()
    assert fast.equals(general)
