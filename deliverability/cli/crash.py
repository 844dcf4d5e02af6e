"""The last line of defence: an error outside the package's family becomes one German sentence.

The traceback is not shown to the analyst but kept in a log file whose path the sentence
names, so that the fault can still be found. The folder is `DELIVERABILITY_LOG_DIR`, else the
user's state folder (`$XDG_STATE_HOME`, `~/.local/state`, `%LOCALAPPDATA%`) under
`deliverability/fehlerprotokolle`.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from deliverability import __version__

#: Errors whose cause is known well enough to say it in words.
KNOWN = {
    "RecursionError": "Die Eingabe ist zu tief verschachtelt, um sie zu lesen",
    "MemoryError": "Der Arbeitsspeicher dieses Rechners reicht für diese Eingabe nicht",
}


def log_folder() -> Path:
    """Where crash logs go (see the module docstring)."""
    chosen = os.environ.get("DELIVERABILITY_LOG_DIR")
    if chosen:
        return Path(chosen)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "deliverability" / "fehlerprotokolle"


def write_log(error: BaseException, argv: Sequence[str]) -> Path | None:
    """The traceback with version, platform and command line in a new log file (None if even
    that cannot be written)."""
    folder = log_folder()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (
        f"deliverability {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
        f"Aufruf: deliverability {' '.join(argv)}\n\n" + "".join(traceback.format_exception(error))
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"fehler-{stamp}-{os.getpid()}.log"
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return path


def sentence(error: BaseException, log: Path | None) -> str:
    """One German sentence for an unexpected error, naming the log file."""
    name = type(error).__name__
    what = KNOWN.get(name, f"Unerwarteter Fehler im Programm ({name})")
    where = (
        f"die technischen Einzelheiten stehen in {log}"
        if log is not None
        else "ein Fehlerprotokoll konnte nicht geschrieben werden"
    )
    return f"{what}; {where}."
