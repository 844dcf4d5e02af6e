"""One encoding per file from all its bytes, damaged entries rejected alone; gzip bounded."""

from __future__ import annotations

import gzip
import resource
from pathlib import Path

import polars as pl
import pytest

from deliverability.cli import main
from deliverability.compressed import MAX_EXPANSION, gunzip
from deliverability.encodings import ByteCensus
from deliverability.errors import InputError
from deliverability.ingest import load_events
from deliverability.ingest.text import DAMAGED, decode, plain_utf8_copy, read_bytes

HEADER = "timestamp,recipient,event,diagnostic\n"


def _rows(count: int) -> str:
    return "".join(
        f"2026-11-20T10:00:{i % 60:02d}+01:00,jürgen{i}@gmx.de,bounce,550 5.1.1 Empfänger unbekannt\n"
        for i in range(count)
    )


def _damaged_file(tmp_path: Path, count: int, compressed: bool = False) -> Path:
    data = (HEADER + _rows(count)).encode("utf-8")
    data += b"2026-11-20T11:00:00+01:00,B\xfcr@gmx.de,bounce,550 x\n"
    data += "2026-11-20T11:00:00+01:00,zoë@web.de,bounce,550 y\n".encode()
    path = tmp_path / ("events.csv.gz" if compressed else "events.csv")
    path.write_bytes(gzip.compress(data) if compressed else data)
    return path


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("count", [20, 3000])  # eager loader and streaming plan alike
def test_one_damaged_byte_rejects_its_entry_not_the_files_umlauts(tmp_path, count, compressed):
    path = _damaged_file(tmp_path, count, compressed)
    result = load_events([path])
    recipients = result.events.get_column("recipient").to_list()
    assert "jürgen0@gmx.de" in recipients and "zoë@web.de" in recipients
    assert not any("Ã" in r for r in recipients)
    assert result.events.height == count + 1
    assert result.rejects.height == 1
    reject = result.rejects.row(0, named=True)
    assert reject["line"] == count + 2 and reject["field"] == "recipient"
    assert "Kodierung" in reject["reason"]


def test_a_german_excel_file_stays_cp1252_as_a_whole(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes((HEADER + _rows(5)).encode("cp1252"))
    result = load_events([path])
    assert result.events.get_column("recipient").to_list()[0] == "jürgen0@gmx.de"
    assert result.rejects.height == 0


def test_the_census_decides_from_all_bytes():
    utf8 = ("Grüße " * 50).encode() + b"\xfc"
    census = ByteCensus()
    census.add(utf8)
    assert census.encoding() == "utf-8" and census.stray == 1
    text, name = decode(utf8, Path("x"))
    assert name == "utf-8" + DAMAGED and text.startswith("Grüße") and text.endswith("\ufffd")
    cp1252 = ("Grüße " * 50).encode("cp1252")
    assert decode(cp1252, Path("x")) == ("Grüße " * 50, "cp1252")
    assert decode(b"\x81\xfc", Path("x"))[1] == "latin-1"  # a byte cp1252 leaves undefined


def test_the_streaming_copy_sees_sequences_cut_by_chunk_boundaries(tmp_path):
    # 1 MiB chunks: put a two-byte ü across every boundary
    text = ("a" * ((1 << 20) - 1) + "ü") * 3
    source = tmp_path / "gross.csv.gz"
    source.write_bytes(gzip.compress(text.encode("utf-8")))
    target = tmp_path / "kopie.csv"
    assert plain_utf8_copy(source, target) == ("utf-8", True)
    assert target.read_text(encoding="utf-8") == text
    cp = tmp_path / "excel.csv"
    cp.write_bytes(("x;ä\n" * 1000).encode("cp1252"))
    assert plain_utf8_copy(cp, target) == ("cp1252", False)
    assert target.read_text(encoding="utf-8") == "x;ä\n" * 1000


def test_gzip_members_and_padding_are_read_and_a_cut_file_is_named(tmp_path):
    path = tmp_path / "teile.gz"
    path.write_bytes(gzip.compress(b"eins\n") + gzip.compress(b"zwei\n") + b"\0" * 8)
    assert read_bytes(path) == (b"eins\nzwei\n", True)
    cut = tmp_path / "kaputt.gz"
    cut.write_bytes(gzip.compress(b"x" * 100_000)[:-30])
    with pytest.raises(InputError, match="beschädigt oder unvollständig"):
        gunzip(cut)


def test_a_decompression_bomb_is_refused_in_bounded_memory(tmp_path, capsys):
    bomb = tmp_path / "bombe.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        handle.write(HEADER.encode())
        zeros = b"0" * (1 << 24)
        for _ in range(40):  # 640 MiB of text in about 0.6 MB
            handle.write(zeros)
    assert bomb.stat().st_size * MAX_EXPANSION < 640 * (1 << 20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert main(["load", str(bomb), "--out", str(tmp_path / "e.parquet")]) == 1
    err = capsys.readouterr().err
    assert "entpackt sich auf mehr als" in err and "Traceback" not in err
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 600
    assert not (tmp_path / "e.parquet").exists()


def test_loaded_figures_are_unchanged_on_a_clean_gzip_file(tmp_path):
    path = tmp_path / "sauber.csv.gz"
    path.write_bytes(gzip.compress((HEADER + _rows(50)).encode()))
    result = load_events([path])
    assert result.events.height == 50 and result.rejects.height == 0
    assert result.events.filter(pl.col("recipient") == "jürgen49@gmx.de").height == 1
