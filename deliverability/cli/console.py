"""Lines for the analyst on the console besides the results: warnings go to stderr, so that
results on stdout stay machine-readable."""

from __future__ import annotations

import sys


def warn(sentence: str | None) -> None:
    """`Warnung: …` on stderr; nothing for None."""
    if sentence:
        print(f"Warnung: {sentence}", file=sys.stderr)
