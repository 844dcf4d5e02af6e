"""Every notebook in a real JupyterLab, driven in Chromium as an analyst runs it (issue 20).

JupyterLab is started as `./dev lab` starts it (German language pack, the environment's
settings), on copies of the notebooks, and Chromium (Debian's `chromium` and
`chromium-driver`, installed by `./dev test`) opens each one, runs all cells and looks at what
the analyst sees: no error output, interactive tables that render, a selection list that
changes the table, a German interface, and no file written next to the notebooks.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deliverability.config import NOTEBOOK_DIR, PROJECT_DIR

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NOTEBOOKS = [
    "wochenbericht",
    "bounces",
    "sperrliste",
    "import_pruefen",
    "sendelimits",
    "zustellung",
]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
TOKEN = "browsertest"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _serving(command: list[str], port: int) -> Iterator[None]:
    """Run a notebook server (`command`) until the block ends, once it listens on `port`."""
    server = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "DELIVERABILITY_STATIC_TABLES": ""},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on copies of the notebooks: (base URL, notebook folder)."""
    if not (CHROMIUM and DRIVER):
        pytest.fail(
            "Chromium und chromedriver fehlen; ./dev test installiert sie (chromium-driver)."
        )
    folder = tmp_path_factory.mktemp("lab") / "notebooks"
    folder.mkdir()
    for name in NOTEBOOKS:
        shutil.copy(NOTEBOOK_DIR / f"{name}.ipynb", folder)
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(settings.read_text())["@jupyterlab/translation-extension:plugin"] == {
        "locale": "de_DE"
    }, "./dev lab (and ./dev test) write the German defaults"
    port = _free_port()
    checkpoints = folder.parent / "checkpoints"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
        f"--notebook-dir={folder}", f"--FileCheckpoints.checkpoint_dir={checkpoints}",
        "--LabApp.news_url=", "--expose-app-in-browser", "--allow-root",
    ]  # fmt: skip
    with _serving(command, port):
        yield f"http://127.0.0.1:{port}", folder


@pytest.fixture(scope="module")
def browser(lab) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1600,1200", "--lang=de-DE"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, script: str, timeout: float = 120, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.5)
    state = driver.execute_script(
        _PANEL + "return w && w.content ? [w.sessionContext.session?.kernel?.status,"
        " w.content.widgets.map(c => [c.model.type, c.model.executionCount,"
        " JSON.stringify(c.model.type === 'code' ? c.model.outputs.toJSON() : '').slice(0, 300)])]"
        " : null"
    )
    raise AssertionError(f"Zeitüberschreitung: {what or script}; Zustand: {state}")


_PANEL = "const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
_DONE = (
    _PANEL
    + """
    if (!w || !w.content || !w.sessionContext.session) { return false; }
    const kernel = w.sessionContext.session.kernel;
    if (!kernel || kernel.status !== "idle") { return false; }
    const cells = w.content.widgets.filter(c => c.model.type === "code");
    const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === "error"));
    // a failed cell stops "run all": the test then reports its error
    const refused = document.querySelector(".deliverability-fehler") !== null;
    return cells.length > 0
        && (failed || refused || cells.every(c => c.model.executionCount !== null));
"""
)
_ERRORS = (
    _PANEL
    + """
    const found = [];
    for (const cell of w.content.widgets) {
        if (cell.model.type !== "code") { continue; }
        for (const output of cell.model.outputs.toJSON()) {
            if (output.output_type === "error") { found.push(output.ename + ": " + output.evalue); }
        }
    }
    for (const box of document.querySelectorAll(".deliverability-fehler")) {
        found.push(box.textContent);
    }
    return found;
"""
)


def _run_all(driver, base: str, name: str) -> None:
    # a workspace of its own, reset: only this notebook is open, as after a double click
    driver.get(f"{base}/lab/workspaces/test-{name}/tree/{name}.ipynb?reset&token={TOKEN}")
    _wait(
        driver,
        _PANEL + "return !!(w && w.content && w.sessionContext.session"
        " && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.status === 'idle')",
        what=f"{name}: Kernel bereit",
    )
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells');")
    time.sleep(1)
    _wait(driver, _DONE, timeout=180, what=f"{name}: alle Zellen ausgeführt")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_runs_in_jupyterlab_without_an_error(lab, browser, name):
    base, folder = lab
    before = sorted(p.name for p in folder.iterdir())
    _run_all(browser, base, name)
    assert browser.execute_script(_ERRORS) == [], name
    if name != "sendelimits":  # its tables are short summaries
        rendered = _wait(
            browser,
            "return document.querySelectorAll('table.dataTable').length",
            timeout=30,
            what=f"{name}: interaktive Tabellen",
        )
        assert rendered >= 1
        info = browser.execute_script(
            "return [...document.querySelectorAll('.dt-info')].map(e => e.textContent)"
        )
        assert any(text.startswith("Zeilen ") for text in info), info
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written beside it


def test_the_interface_is_german(lab, browser):
    base, _ = lab
    browser.get(f"{base}/lab?token={TOKEN}")
    menus = _wait(
        browser,
        "return [...document.querySelectorAll('.lm-MenuBar-itemLabel')].map(e => e.textContent)",
        what="Menüleiste",
    )
    assert "Datei" in menus and "Ausführen" in menus, menus


def test_a_selection_list_narrows_the_table(lab, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, _ = lab
    _run_all(browser, base, "bounces")
    # the drill-down table: the one with the column of the deciding rule
    details = (
        "const table = [...document.querySelectorAll('table.dataTable')].find(t =>"
        " t.querySelector('thead').textContent.includes('Entschieden durch Regel'));"
    )
    # while a choice replaces the table, there is for a moment none: then the info is ""
    info = details + (
        "const info = table && table.closest('.dt-container')"
        " && table.closest('.dt-container').querySelector('.dt-info');"
        " return info ? info.textContent : '';"
    )
    # the table is drawn and the lists are filled after the cell has run: wait for both
    before = _wait(
        browser,
        info,
        timeout=30,
        what="die Tabelle der Einzelbefunde",
    )
    _wait(
        browser,
        "const s = document.querySelector('.widget-dropdown select');"
        " return s && s.options.length > 1;",
        timeout=30,
        what="die Auswahlliste „Grund“",
    )
    choice = Select(browser.find_elements(By.CSS_SELECTOR, ".widget-dropdown select")[0])
    reason = choice.options[1].text
    choice.select_by_visible_text(reason)
    after = _wait(
        browser,
        f"const t = (function() {{ {info} }})(); return t !== {json.dumps(before)} ? t : '';",
        timeout=30,
        what="die Tabelle nach der Auswahl",
    )
    assert after != before
    cells = browser.execute_script(
        details
        + "return [...table.querySelectorAll('tbody tr')].map(r => r.children[3].textContent);"
    )
    assert cells and set(cells) == {reason}


_SLIDER_LABEL = (
    "const s = document.querySelector('.widget-hslider');"
    " const l = s && [...s.parentElement.children].find("
    " c => c !== s && c.classList.contains('widget-label'));"
    " return l ? l.textContent : '';"
)


def test_weekly_charts_carry_hover_values_and_the_slider_changes_the_domains(lab, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    base, _ = lab
    _run_all(browser, base, "wochenbericht")
    plots = _wait(
        browser,
        "const p = [...document.querySelectorAll('.js-plotly-plot')];"
        " return p.length >= 2 && p.every(e => e.data && e._fullLayout) ? p.length : 0;",
        timeout=30,
        what="die Zeitverläufe (plotly)",
    )
    assert plots == 2
    hovers = browser.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].map(e =>"
        " [e._fullLayout.separators, e.data.map(t => t.hovertemplate)]);"
    )
    for separators, templates in hovers:
        assert separators == ",." and all("%{customdata}" in t for t in templates)
    before = _wait(browser, _SLIDER_LABEL, timeout=30, what="der Regler der Warnschwelle")
    changed = f"const t = (function() {{ {_SLIDER_LABEL} }})(); return t !== {json.dumps(before)} ? t : '';"
    for attempt in range(3):  # a drag that starts while the page still scrolls can miss
        handle = browser.find_element(By.CSS_SELECTOR, ".widget-hslider .noUi-handle")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", handle)
        ActionChains(browser).click_and_hold(handle).move_by_offset(60, 0).release().perform()
        try:
            after = _wait(
                browser, changed, timeout=10, what="die Warnschwelle nach dem Verschieben"
            )
            break
        except AssertionError:
            if attempt == 2:
                raise
    assert after.endswith(" %") and after != before
    assert browser.execute_script(_ERRORS) == []


def test_the_app_view_shows_results_without_code(tmp_path, browser):
    """`./dev app wochenbericht`: Voilà runs the notebook and shows no code."""
    shutil.copy(NOTEBOOK_DIR / "wochenbericht.ipynb", tmp_path)
    port = _free_port()
    command = [
        sys.executable, "-m", "voila", str(tmp_path / "wochenbericht.ipynb"),
        "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
        "--VoilaConfiguration.show_tracebacks=False",
    ]  # fmt: skip
    with _serving(command, port):
        browser.get(f"http://127.0.0.1:{port}/")
        _wait(
            browser,
            "return document.querySelectorAll('.js-plotly-plot').length >= 2"
            " && document.querySelectorAll('table.dataTable').length >= 1"
            " && document.querySelectorAll('.widget-dropdown select').length >= 5;",
            timeout=180,
            what="die App-Ansicht mit Grafiken, Tabellen und Auswahllisten",
        )
        text = browser.execute_script("return document.body.innerText;")
        assert "Kennzahlen der Woche" in text and "Gescheiterte Mails erkunden" in text
        assert "build_weekly_report" not in text and "import " not in text
        assert not browser.find_elements("css selector", ".deliverability-fehler")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wochenbericht.ipynb"]
