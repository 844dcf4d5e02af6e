"""Running and rendering the report's notebook without imports it does not need."""

from __future__ import annotations

import subprocess
import sys

from deliverability.report.render import SKIPPED_IMPORTS

CHECK = """
import sys
from deliverability.report import render
render._skip_costly_optional_imports()
import nbformat, papermill  # what execute_notebook imports
from nbconvert import HTMLExporter  # what notebook_to_html imports
for name in {names!r}:
    assert sys.modules.get(name) is None, name
notebook = nbformat.read(str(render.Path({notebook!r})), as_version=4)
nbformat.validate(notebook)  # the notebook's schema still checks
print("ok")
"""


def test_the_notebook_libraries_load_without_the_grammar_they_do_not_need():
    """jsonschema (under nbformat) imports `rfc3987_syntax` if it can, which builds a
    grammar for 1.3 s; the report's process goes without it and still validates notebooks."""
    from deliverability.report.runner import NOTEBOOK

    code = CHECK.format(names=SKIPPED_IMPORTS, notebook=str(NOTEBOOK))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
