"""Text built from columns, as polars expressions."""

from __future__ import annotations

import polars as pl


def format_text(template: str, *args: pl.Expr | str) -> pl.Expr:
    """`template` with each "{}" replaced by the next argument (an expression or a column
    name); null where an argument is null, as `pl.format`.

    Built on `pl.concat_str`: the format kernel of polars 2.1 panics in the streaming engine
    ("assertion failed: i < self.len()") when a frame of several chunks is filtered down to
    rows of its last chunks, as the checks of a large file with a few bad rows at its end
    are; `concat_str` does not (`tests/test_text_expr.py`).
    """
    texts = template.split("{}")
    if len(texts) != len(args) + 1:
        raise ValueError(f"{template!r} has {len(texts) - 1} places for {len(args)} arguments")
    parts: list[pl.Expr] = []
    for index, text in enumerate(texts):
        if text:
            parts.append(pl.lit(text))
        if index < len(args):
            arg = args[index]
            parts.append(pl.col(arg) if isinstance(arg, str) else arg)
    if not parts:
        return pl.lit("")
    return pl.concat_str(parts, separator="")
