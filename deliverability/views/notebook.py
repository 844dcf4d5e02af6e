"""What every notebook does first: German errors instead of tracebacks, and interactive tables.

`start()` is the first call of each notebook. It shows an error of the package's own family
(`DeliverabilityError`: a bad input, option or output) as one German sentence in a red box
instead of a Python traceback, and loads the interactive tables (itables, offline: the
JavaScript is stored in the notebook, so the tables also work in an exported HTML file).
`show_table` then shows a table sortable, searchable and paged, with German labels and
buttons to copy it or download it as CSV for German Excel or as an Excel file.

The scheduled report (`deliverability report`) sets `STATIC_ENV`: its HTML and PDF need plain
tables, which `show_table` then writes as `tables.to_html` does.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import HTML, display

from deliverability.cells import FORMULA_PREFIXES
from deliverability.errors import DeliverabilityError
from deliverability.views import format as fmt
from deliverability.views.tables import column_kind, to_html

#: Set (to any value) by the scheduled report: tables as plain HTML, for the HTML and PDF files.
STATIC_ENV = "DELIVERABILITY_STATIC_TABLES"
#: Rows per page of an interactive table, and the choices offered.
PAGE_LENGTH = 10
_PAGE_CHOICES = [10, 25, 50, 100, -1]

#: DataTables' interface texts in German (https://datatables.net/reference/option/language).
GERMAN_TABLE_TEXTS: dict[str, Any] = {
    "search": "Suchen:",
    "lengthMenu": "_MENU_ Zeilen je Seite",
    "info": "Zeilen _START_ bis _END_ von _TOTAL_",
    "infoEmpty": "Keine Zeilen",
    "infoFiltered": "(gefiltert aus _MAX_ Zeilen)",
    "zeroRecords": "Keine passenden Zeilen gefunden",
    "emptyTable": "Die Tabelle ist leer",
    "loadingRecords": "Wird geladen …",
    "paginate": {"first": "Erste", "last": "Letzte", "next": "Weiter", "previous": "Zurück"},
    "aria": {
        "orderable": "Nach dieser Spalte sortieren",
        "orderableReverse": "Umgekehrt sortieren",
    },
    "lengthLabels": {"-1": "alle"},
    "buttons": {
        "copyTitle": "Kopiert",
        "copySuccess": {"_": "%d Zeilen kopiert", "1": "1 Zeile kopiert"},
    },
}


#: A downloaded cell that Excel would read as a formula gets a leading ' (the rule of
#: `deliverability.cells.neutral_cell`, with its prefixes, in the browser).
_FORMULA_CLASS = "".join(f"\\u{ord(prefix):04x}" for prefix in FORMULA_PREFIXES)
_NEUTRAL_CELL = (
    "function (data) {\n"
    "    var text = String(data);\n"
    f'    return /^[{_FORMULA_CLASS}]/.test(text) ? "\'" + text : text;\n'
    "}"
)


def _buttons(name: str) -> list[dict[str, Any]]:
    """Copy, CSV for German Excel (semicolon, UTF-8 with BOM) and Excel, all named `name`,
    with formula cells neutralised."""
    from itables import JavascriptFunction

    safe = {"format": {"body": JavascriptFunction(_NEUTRAL_CELL)}}
    return [
        {"extend": "copyHtml5", "text": "Kopieren"},
        {
            "extend": "csvHtml5",
            "text": "CSV (Excel)",
            "title": name,
            "fieldSeparator": ";",
            "bom": True,
            "charset": "utf-8",
            "exportOptions": safe,
        },
        {"extend": "excelHtml5", "text": "Excel", "title": name, "exportOptions": safe},
    ]


#: Sort keys of German-formatted cells (the cell shows "1.234,5 %" or "17.11.2026 12:06"; the
#: table sorts by the number or by the ISO date): a DataTables render function per kind.
_SORT_KEYS = {
    "zahl": r"""function (data, type) {
        if (type !== "sort" && type !== "type") { return data; }
        var text = String(data).replace(/\u2212/g, "-").replace(/\./g, "").replace(",", ".");
        var number = parseFloat(text.replace(/[^0-9.+-]/g, ""));
        return isNaN(number) ? -Infinity : number;
    }""",
    "datum": r"""function (data, type) {
        if (type !== "sort" && type !== "type") { return data; }
        var m = String(data).match(/^(\d{2})\.(\d{2})\.(\d{4})(.*)$/);
        return m ? m[3] + "-" + m[2] + "-" + m[1] + m[4] : String(data);
    }""",
}


def _column_defs(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Numbers and dates right-aligned and sorted by value, text left-aligned."""
    from itables import JavascriptFunction

    kinds = [column_kind(frame[column].tolist()) for column in frame.columns]
    defs: list[dict[str, Any]] = []
    for kind in ("zahl", "datum"):
        targets = [index for index, found in enumerate(kinds) if found == kind]
        if targets:
            defs.append(
                {
                    "targets": targets,
                    "className": "dt-right",
                    "render": JavascriptFunction(_SORT_KEYS[kind]),
                    "type": "num" if kind == "zahl" else "string",
                }
            )
    text = [index for index, found in enumerate(kinds) if found == "text"]
    if text:
        defs.append({"targets": text, "className": "dt-left"})
    return defs


def interactive() -> bool:
    """False in the scheduled report (plain tables), True in JupyterLab and papermill runs."""
    return not os.environ.get(STATIC_ENV)


def error_html(error: BaseException) -> str:
    """The red box an error of the package's family is shown in."""
    return (
        '<div role="alert" class="deliverability-fehler" style="border-left:4px solid #b91c1c;'
        'background:#fee2e2;padding:0.6em 0.9em;margin:0.6em 0">'
        f"<strong>Fehler:</strong> {html.escape(str(error))}</div>"
    )


def _show_german_error(
    shell: Any, kind: type, error: BaseException, tb: Any, tb_offset: Any = None
) -> None:
    """IPython's custom exception handler: the sentence, no traceback."""
    display(HTML(error_html(error)))


def start() -> None:
    """Prepare the notebook: German errors and interactive tables (nothing in the report)."""
    from IPython import get_ipython

    if not interactive():  # the scheduled report: it reports a failed cell itself
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((DeliverabilityError,), _show_german_error)
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)


def table_html(frame: pd.DataFrame, name: str, *, page_length: int = PAGE_LENGTH) -> str:
    """`frame` (German headers, formatted values) as an interactive table named `name` (the
    download's file name), or as a plain table in the scheduled report."""
    if not interactive():
        return to_html(frame)
    import itables

    options: dict[str, Any] = {
        "buttons": _buttons(name),
        "layout": {
            "topStart": "buttons",
            "topEnd": "search",
            "bottomStart": "info",
            "bottomEnd": ["pageLength", "paging"],
        },
        "language": GERMAN_TABLE_TEXTS,
        "pageLength": page_length,
        "lengthMenu": _PAGE_CHOICES,
        "columnDefs": _column_defs(frame),
        "showIndex": False,
        "classes": "display compact",
        "maxBytes": 0,
        "allow_html": False,
    }
    return str(itables.to_html_datatable(frame, **options))


def show_table(frame: pd.DataFrame, name: str, *, page_length: int = PAGE_LENGTH) -> None:
    """Display `table_html`."""
    display(HTML(table_html(frame, name, page_length=page_length)))


#: The choice of a drill-down list that keeps every value.
ALL = "(alle)"


#: A selection list offers at most this many values; beyond, a choice above narrows it first.
MAX_CHOICES = 2_000
#: A drill-down table shows at most this many rows of the selection (all go to the download
#: only when the selection is this small: the table carries its rows in the page).
MAX_SHOWN_ROWS = 5_000


def _shown_rows(rows: pd.DataFrame, name: str, limit: int) -> str:
    """The interactive table of `rows`, cut to `limit` rows with a German note."""
    if len(rows) <= limit:
        return table_html(rows, name)
    note = (
        f"<p>Gezeigt werden die ersten {fmt.number(limit)} von {fmt.number(len(rows))} "
        "Zeilen; eine Auswahl oben grenzt die Tabelle ein.</p>"
    )
    return note + table_html(rows.head(limit), name)


def drill_down(
    frame: pd.DataFrame, levels: list[str], name: str, *, limit: int = MAX_SHOWN_ROWS
) -> None:
    """`frame` as an interactive table under one selection list per column of `levels`
    (e.g. Grund, Domain, Adresse): each choice narrows the table and the lists after it.
    At most `limit` rows are shown. In the scheduled report, the whole table."""
    if not interactive() or frame.empty:
        show_table(frame, name)
        return
    import ipywidgets as widgets

    pickers = [
        widgets.Dropdown(
            description=level, options=[ALL], value=ALL, style={"description_width": "initial"}
        )
        for level in levels
    ]

    def chosen(upto: int) -> pd.DataFrame:
        rows = frame
        for level, picker in zip(levels[:upto], pickers[:upto], strict=True):
            if picker.value != ALL:
                rows = rows[rows[level] == picker.value]
        return rows

    busy = False

    def refresh(change: object = None) -> None:
        nonlocal busy
        if busy:  # the lists below are being narrowed by this very refresh
            return
        busy = True
        try:
            narrow()
        finally:
            busy = False
        shown.update(HTML(_shown_rows(chosen(len(levels)), name, limit)))

    def narrow() -> None:
        for index, picker in enumerate(pickers):
            values = sorted(str(v) for v in chosen(index)[levels[index]].dropna().unique())
            options = [ALL, *values] if len(values) <= MAX_CHOICES else [ALL]
            picker.disabled = len(values) > MAX_CHOICES
            picker.tooltip = "Zu viele Werte: erst oben eingrenzen" if picker.disabled else None
            if list(picker.options) != options:
                keep = picker.value if picker.value in options else ALL
                with picker.hold_trait_notifications():
                    picker.options = options
                    picker.value = keep

    display(widgets.HBox(pickers))
    # a display handle, not an Output widget: the table stays an output of the cell, saved
    # with the notebook and in its HTML export, and each choice replaces it in place
    shown = display(HTML(_shown_rows(frame, name, limit)), display_id=True)
    narrow()
    for picker in pickers:
        picker.observe(refresh, names="value")


def threshold_table(
    table_for: Callable[[float], pd.DataFrame],
    name: str,
    *,
    label: str,
    value: float,
    low: float,
    high: float,
    step: float,
    empty: str,
    report_rows: int | None = None,
    more: str = "",
) -> None:
    """The table `table_for(threshold)` under a slider for the threshold (a share, shown in
    per cent): moving it changes this view only, never the saved settings. `empty` is said
    when no row is over the threshold. In the scheduled report, the table at `value`, its
    first `report_rows` rows, and `more` with the number of the others filled in."""

    def content(rows: pd.DataFrame) -> HTML:
        return HTML(f"<p>{html.escape(empty)}</p>" if rows.empty else table_html(rows, name))

    if not interactive():
        rows = table_for(value)
        cut = rows if report_rows is None else rows.head(report_rows)
        display(content(cut))
        if len(rows) > len(cut):
            display(HTML(f"<p>{html.escape(more.format(fmt.number(len(rows) - len(cut))))}</p>"))
        return
    import ipywidgets as widgets

    slider = widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=label,
        readout=False,
        continuous_update=False,
        style={"description_width": "initial"},
        layout={"width": "28em"},
    )
    shown_value = widgets.Label(fmt.percent(value, 1))
    display(widgets.HBox([slider, shown_value]))
    shown = display(content(table_for(value)), display_id=True)

    def changed(change: Any) -> None:
        shown_value.value = fmt.percent(change["new"], 1)
        shown.update(content(table_for(change["new"])))

    slider.observe(changed, names="value")


def input_paths(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """The files or folders of a notebook parameter: one path, several separated by ";"
    (``r"C:\\Exporte\\januar.csv; C:\\Exporte\\februar.csv"``) or a list; empty for none."""
    parts = value.split(";") if isinstance(value, str) else list(value)
    return [str(part).strip() for part in parts if str(part).strip()]


def words(value: str | list[str] | tuple[str, ...]) -> list[str]:
    """The names of a notebook parameter: separated by commas, semicolons or spaces
    (``"brevo, hubspot"``), or a list; empty for none."""
    parts = (
        value.replace(";", ",").replace(" ", ",").split(",") if isinstance(value, str) else value
    )
    return [str(part).strip() for part in parts if str(part).strip()]
