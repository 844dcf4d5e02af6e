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


def run_notebook(name: str, folder: Path, parameters: dict[str, object]) -> Path:
    """Execute notebooks/`name` with papermill in `folder` (its working directory); the
    executed copy is `folder/name`."""
    import papermill

    from deliverability.config import NOTEBOOK_DIR

    executed = folder / name
    papermill.execute_notebook(
        str(NOTEBOOK_DIR / name),
        str(executed),
        parameters=parameters,
        cwd=str(folder),
        log_output=False,
        progress_bar=False,
    )
    return executed
