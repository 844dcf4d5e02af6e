"""The report as PDF: the rendered HTML laid out on A4 pages by WeasyPrint."""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from pathlib import Path

from deliverability.errors import ReportError
from deliverability.export import write_bytes_atomic


def import_in_background() -> None:
    """Import WeasyPrint in a thread of its own (0.4 s), for a caller that makes the PDF
    later and waits for something else first (the report's notebook). A missing system
    library is reported by `html_to_pdf`, not here."""

    def load() -> None:
        with contextlib.suppress(OSError, ImportError):
            importlib.import_module("weasyprint")

    threading.Thread(target=load, name="weasyprint-import", daemon=True).start()


def html_to_pdf(html: Path, pdf: Path) -> Path:
    """Lay out `html` (with its embedded charts) on A4 pages and write `pdf` atomically.

    The page size, margins, page numbers and where pages may break come from the report's
    stylesheet (`bericht.css`, print rules)."""
    try:
        import weasyprint
    except OSError as error:  # the system's Pango library is missing
        raise ReportError(
            "Für die PDF-Fassung fehlt die Systembibliothek Pango; `./dev report` installiert "
            f"sie (Paket libpango-1.0-0). Meldung: {error}"
        ) from error
    # WeasyPrint reports every CSS rule it does not support (JupyterLab's stylesheet has many)
    # as an English warning; none of them changes the report's layout.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(filename=str(html)).write_pdf()
    except OSError as error:
        raise ReportError(
            f"Die PDF-Fassung von {html} ließ sich nicht erzeugen: {error}"
        ) from error
    if document is None:  # only without a target; keeps the type checker informed
        raise ReportError(f"Die PDF-Fassung von {html} ist leer geblieben.")
    write_bytes_atomic(document, pdf)
    return pdf
