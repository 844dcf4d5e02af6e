"""The project's own checks, run by the test command: lint, formatting, types, import
contracts, and notebooks in sync with their paired .py files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CODE = ["deliverability", "tests", "benchmarks", "notebooks", "docs"]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", *CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_code_is_formatted():
    result = _run(str(BIN / "ruff"), "format", "--check", *CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_types_check():
    result = _run(str(BIN / "mypy"), "deliverability")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_hold():
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("paired", sorted((ROOT / "notebooks").glob("*.py")), ids=lambda p: p.stem)
def test_notebook_is_in_sync_with_its_py_file(paired: Path):
    notebook = jupytext.read(paired.with_suffix(".ipynb"))
    script = jupytext.read(paired)
    cells = [(cell.cell_type, cell.source) for cell in notebook.cells]
    assert cells == [(cell.cell_type, cell.source) for cell in script.cells]


def test_sources_cited_in_the_package_are_public():
    """Data files and modules cite public sources, never files outside the repository."""
    offending = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "deliverability").rglob("*")
        if path.suffix in {".py", ".toml", ".csv", ".properties"}
        and "../shared" in path.read_text(encoding="utf-8")
    ]
    assert offending == []


def test_report_template_in_the_package_matches_the_notebook():
    """`deliverability report` runs the template inside the package, never notebooks/."""
    from deliverability.report.runner import NOTEBOOK

    assert ROOT / "notebooks" not in NOTEBOOK.parents
    template = jupytext.read(NOTEBOOK)
    script = jupytext.read(ROOT / "notebooks" / "wochenbericht.py")
    cells = [(cell.cell_type, cell.source) for cell in template.cells]
    assert cells == [(cell.cell_type, cell.source) for cell in script.cells]
    assert all(not cell.get("outputs") for cell in template.cells if cell.cell_type == "code")


def test_documentation_builds_strictly(tmp_path):
    """The docs site (MkDocs Material) builds without a warning; its reference tables come
    from the package's data files."""
    result = _run(str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    reasons = (tmp_path / "site" / "klassifizierung" / "index.html").read_text(encoding="utf-8")
    assert "userunknown" in reasons and "Empfänger unbekannt" in reasons
    assert "zendesk-sell" in (tmp_path / "site" / "versandlimits" / "index.html").read_text(
        encoding="utf-8"
    )


def test_readme_is_a_quick_start():
    assert len((ROOT / "README.md").read_bytes()) <= 20 * 1024


def test_no_function_in_the_package_is_longer_than_120_lines():
    import ast

    long = []
    for path in (ROOT / "deliverability").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 120:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length})")
    assert long == []


def test_tests_mirror_the_package_layout():
    """A test folder per package folder (and one for the notebooks)."""
    folders = {
        path.name
        for path in (ROOT / "tests").iterdir()
        if path.is_dir() and path.name not in {"fixtures", "__pycache__"}
    }
    packages = {path.name for path in (ROOT / "deliverability").iterdir() if path.is_dir()}
    assert folders - {"notebooks"} <= packages


def test_no_two_packages_import_each_other():
    """The packages of `deliverability` form layers: no package imports a package that imports
    it back (directly, module by module)."""
    import grimp

    graph = grimp.build_graph("deliverability")
    edges: set[tuple[str, str]] = set()
    for module in graph.modules:
        if module.count(".") < 1:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.count(".") >= 1:
                source, target = module.split(".")[1], imported.split(".")[1]
                if source != target:
                    edges.add((source, target))
    assert sorted((a, b) for a, b in edges if (b, a) in edges and a < b) == []
