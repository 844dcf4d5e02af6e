"""`format_text`: pl.format's results, also where polars' own format kernel panics."""

from __future__ import annotations

import polars as pl
import pytest

from deliverability.text_expr import format_text


def test_it_gives_what_pl_format_gives_nulls_included():
    frame = pl.DataFrame({"a": ["x", None, "z"], "n": [1, 2, None]})
    ours = frame.select(
        format_text("{}:{}", "a", pl.col("n")).alias("both"),
        format_text("Zeile {} ist kaputt.", pl.col("n")).alias("around"),
        format_text("ohne Platz").alias("plain"),
    )
    theirs = frame.select(
        pl.format("{}:{}", "a", pl.col("n")).alias("both"),
        pl.format("Zeile {} ist kaputt.", pl.col("n")).alias("around"),
        pl.lit("ohne Platz").alias("plain"),
    )
    assert ours.equals(theirs)
    with pytest.raises(ValueError, match="places"):
        format_text("{} und {}", "a")


def test_a_frame_of_many_chunks_filtered_to_its_last_rows_streams():
    parts = [
        pl.DataFrame({"a": [f"20.11.2026 11:{k:02d}:{i % 60:02d}" for i in range(100)]})
        for k in range(10)
    ]
    last = pl.concat(parts, rechunk=False).lazy().with_row_index("r").filter(pl.col("r") >= 997)
    got = last.select(format_text("{}-{}", "a", "r")).collect(engine="streaming")
    assert got.to_series().to_list() == [f"20.11.2026 11:09:{s}-{r}" for s, r in
                                         (("37", 997), ("38", 998), ("39", 999))]  # fmt: skip
