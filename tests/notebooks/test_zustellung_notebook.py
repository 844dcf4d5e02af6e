"""The delivery notebook runs under papermill against the test DNS server."""

from __future__ import annotations

import json

import pytest

from deliverability.config import NOTEBOOK_DIR

from ..notebook_output import run_notebook, shown_text


@pytest.mark.slow
def test_zustellung_notebook_runs_with_papermill(dns_server, tmp_path):
    executed = run_notebook(
        "zustellung.ipynb", tmp_path, {"nameserver": dns_server.address, "dkim_selectors": "mj"}
    )
    shown = shown_text(executed)
    assert "KW 47/2026" in shown and "Zustellrate" in shown
    assert "nordwerk-logistik.de" in shown or "ohne Ergebnis" in shown
    assert "technik-handel.de" in shown and "fehlt" in shown  # no SPF/DMARC in the test zone
    assert "Kein DMARC-Eintrag" in shown
    assert "Anbieter (MX)" in shown and "United Internet" in shown and "Bounce-Rate" in shown
    assert "erst zurückgestellt" in shown
    assert shown.count("data:image/png;base64") == 1


@pytest.mark.slow
def test_zustellung_notebook_warns_instead_of_advising_records(nxdomain_everything, tmp_path):
    executed = run_notebook(
        "zustellung.ipynb", tmp_path, {"nameserver": nxdomain_everything.address}
    )
    shown = shown_text(executed)
    assert "<strong>Warnung:</strong> Der DNS-Server" in shown
    assert "nicht geprüft" in shown
    assert "Kein DMARC-Eintrag" not in shown and "Kein MX-Eintrag" not in shown
    assert "United Internet" in shown  # providers still named by the domain map


def test_zustellung_notebook_is_committed_without_outputs():
    notebook = json.loads((NOTEBOOK_DIR / "zustellung.ipynb").read_text())
    assert all(not cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert ["parameters"] in [cell["metadata"].get("tags", []) for cell in notebook["cells"]]


@pytest.mark.slow
def test_the_chosen_week_reaches_every_section(tmp_path):
    latest = shown_text(run_notebook("zustellung.ipynb", tmp_path, {"check_dns": False}))
    earlier = shown_text(
        run_notebook("zustellung.ipynb", tmp_path, {"check_dns": False, "week": "KW 46/2026"})
    )
    assert "KW 47/2026" in latest and "KW 46/2026" in earlier
    # the server outage of 17.11. (KW 47) deferred mail; KW 46 had none
    assert "Mails wurden erst zurückgestellt" in latest
    assert "Keine Mail wurde erst zurückgestellt" in earlier
