"""Running a report notebook with papermill and rendering it to one self-contained HTML file."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deliverability.errors import ReportError
from deliverability.export import write_bytes_atomic

#: External scripts of the nbconvert templates (require.js, MathJax): not needed for our
#: reports and unreachable offline; removed so the HTML is one file that works anywhere.
_EXTERNAL_SCRIPT = re.compile(
    r"<script[^>]+src=\"https?://[^\"]+\"[^>]*>\s*</script>\s*"
    r"|<script type=\"module\">(?:(?!</script>).)*?https://cdnjs(?:(?!</script>).)*</script>\s*",
    re.I | re.S,
)
#: Cells with this tag are notes for notebook users, not part of the report.
REMOVE_TAG = "remove_cell"
#: The report's own styles (tables, severity badges, A4 pages), after JupyterLab's.
STYLESHEET = Path(__file__).with_name("bericht.css")


#: Optional imports of the notebook libraries that cost much and serve the report nothing:
#: jsonschema (under nbformat) checks the string format "iri" with `rfc3987_syntax`, which
#: builds a grammar when imported (1.3 s of every report); notebook schemas use no formats.
SKIPPED_IMPORTS = ("rfc3987_syntax",)


def _skip_costly_optional_imports() -> None:
    """Make the `SKIPPED_IMPORTS` fail as if not installed (their users expect that), unless
    something in this process already imported them."""
    for name in SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def execute_notebook(
    notebook: Path,
    executed: Path,
    parameters: dict[str, Any],
    cwd: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    after_cell: Callable[[], None] | None = None,
) -> None:
    """Execute `notebook` with papermill into `executed`; failures become a ReportError.
    `progress` is told after each code cell: cells done, code cells in all; `after_cell` is
    called after each cell, too."""
    _skip_costly_optional_imports()
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed.parent.mkdir(parents=True, exist_ok=True)
    total = 0
    if progress is not None:
        cells = nbformat.read(str(notebook), as_version=4).cells
        total = sum(cell.cell_type == "code" for cell in cells) + 1  # + papermill's parameters
    done = 0

    def executed_one(**_: Any) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, total), total)
        if after_cell is not None:
            after_cell()

    from deliverability.views.notebook import STATIC_ENV

    before = os.environ.get(STATIC_ENV)
    os.environ[STATIC_ENV] = "1"  # the kernel inherits it: plain tables for HTML and PDF
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(cwd or notebook.parent),
            # the kernel's own start-up notices are English log noise for the analyst
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            on_cell_executed=executed_one,
        )
    except PapermillExecutionError as error:
        raise ReportError(
            f"Das Notebook {notebook.name} ist in Zelle {error.exec_count} abgebrochen: "
            f"{error.ename}: {error.evalue}. Das ausgeführte Notebook mit allen Details liegt "
            f"in {executed}."
        ) from error
    except FileNotFoundError as error:
        raise ReportError(f"Notebook {notebook} wurde nicht gefunden.") from error
    finally:
        if before is None:
            os.environ.pop(STATIC_ENV, None)
        else:
            os.environ[STATIC_ENV] = before


def notebook_to_html(executed: Path, html: Path, title: str | None = None) -> Path:
    """Render the executed notebook without code cells to one HTML file, images embedded."""
    _skip_costly_optional_imports()
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(str(executed), as_version=4)
    if title:
        notebook.metadata["title"] = title
    exporter = HTMLExporter(template_name="lab")
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(notebook)
    body = _EXTERNAL_SCRIPT.sub("", body).replace('<html lang="en">', '<html lang="de">', 1)
    style = f"<style>\n{STYLESHEET.read_text(encoding='utf-8')}</style>\n</head>"
    body = body.replace("</head>", style, 1)
    write_bytes_atomic(body.encode("utf-8"), html)
    return html


def _tag_remover() -> object:
    from nbconvert.preprocessors import TagRemovePreprocessor

    return TagRemovePreprocessor(remove_cell_tags={REMOVE_TAG}, enabled=True)
