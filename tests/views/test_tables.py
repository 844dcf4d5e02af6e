"""Display tables: each column's kind decides alignment and line breaks in the report."""

from __future__ import annotations

import pandas as pd
import pytest

from deliverability.views import format as fmt
from deliverability.views import tables


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        ([fmt.number(7464), fmt.number(12), "–"], "zahl"),
        ([fmt.percent(0.958), fmt.percent(0.0011, 2)], "zahl"),
        ([fmt.points(0.046), fmt.points(-0.056), fmt.number(-265, sign=True)], "zahl"),
        ([fmt.number(1234.5, 1), 17, None], "zahl"),
        (["17.11.2026", "18.11.2026 12:06", "19.11.2026 09:00:00"], "datum"),
        (["Versendet", fmt.number(3)], "text"),
        (["gmx.de", "web.de"], "text"),
        (["1.2.3.4"], "text"),  # an IP address is not a number
        (["17.11.2026", fmt.number(3)], "text"),
        ([None, "–"], "zahl"),
    ],
)
def test_column_kind(values: list[object], kind: str):
    assert tables.column_kind(values) == kind


def test_html_marks_every_cell_with_its_column_kind_and_escapes():
    table = pd.DataFrame(
        {"Domain": ["a<b>.de", "web.de"], "Mails": ["1.234", None], "Tag": ["17.11.2026"] * 2}
    )
    html = tables.to_html(table)
    assert '<th class="text">Domain</th><th class="zahl">Mails</th>' in html
    assert '<td class="text">a&lt;b&gt;.de</td><td class="zahl">1.234</td>' in html
    assert '<td class="zahl">–</td>' in html
    assert html.count('<td class="datum">17.11.2026</td>') == 2
    assert html.count("<tr>") == 3
