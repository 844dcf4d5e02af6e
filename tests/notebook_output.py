"""Reading what an executed notebook showed (HTML and Markdown outputs)."""

from __future__ import annotations

import json
from pathlib import Path


def shown_text(executed: Path) -> str:
    """All text/html and text/markdown outputs of an executed notebook, concatenated."""
    notebook = json.loads(executed.read_text())
    return "".join(
        "".join(output.get("data", {}).get("text/html", ""))
        + "".join(output.get("data", {}).get("text/markdown", ""))
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
    )
