"""Notices in a notebook: a German warning that stands out above the results it concerns."""

from __future__ import annotations

import html


def warning_html(sentence: str | None) -> str:
    """A highlighted box with `Warnung:` and the (escaped) sentence; empty for None."""
    if not sentence:
        return ""
    return (
        '<div role="alert" style="border-left:4px solid #b45309;background:#fef3c7;'
        'padding:0.6em 0.9em;margin:0.6em 0">'
        f"<strong>Warnung:</strong> {html.escape(sentence)}</div>"
    )
