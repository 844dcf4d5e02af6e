"""All-or-nothing changes of the state folder's files, with a journal that survives `kill -9`.

A run writes each new file beside the old one as `.<name>.neu` (flushed to disk). To commit,
it writes the journal `.journal.json` naming those files (atomically), keeps each old file as
`<stem>.vorher<suffix>` (a hard link: the last good copy), renames the new files over the
old ones and removes the journal. The next run that takes the folder's lock finishes an
interrupted commit (a journal is there: every named new file is renamed) or rolls back an
unfinished run (no journal: leftover new files are deleted). Either way the folder holds
exactly the files of before the run or exactly those of after it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from deliverability.errors import InputError
from deliverability.export import write_bytes_atomic

JOURNAL = ".journal.json"
PENDING_PREFIX, PENDING_SUFFIX = ".", ".neu"


def pending_path(folder: Path, name: str) -> Path:
    """Where the new version of `name` waits for the commit."""
    return folder / f"{PENDING_PREFIX}{name}{PENDING_SUFFIX}"


def backup_path(folder: Path, name: str) -> Path:
    """The last good copy of `name` (the version before the last commit)."""
    path = Path(name)
    return folder / f"{path.stem}.vorher{path.suffix}"


def _sync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _keep_backup(folder: Path, name: str) -> None:
    current = folder / name
    if not current.exists():
        return
    backup = backup_path(folder, name)
    staging = folder / f".{backup.name}.tmp"
    staging.unlink(missing_ok=True)
    try:
        os.link(current, staging)  # the same bytes, no copy
    except OSError:  # no hard links on this file system
        shutil.copy2(current, staging)
    os.replace(staging, backup)


def _switch(folder: Path, names: list[str]) -> None:
    for name in names:
        pending = pending_path(folder, name)
        if pending.exists():
            _keep_backup(folder, name)
            os.replace(pending, folder / name)
    _sync_folder(folder)


def commit(folder: Path, names: list[str]) -> None:
    """Switch the pending files `names` in, all or none (see the module docstring)."""
    if not names:
        return
    journal = folder / JOURNAL
    write_bytes_atomic(json.dumps({"dateien": names}).encode("utf-8"), journal)
    _switch(folder, names)
    journal.unlink()
    _sync_folder(folder)


def recover(folder: Path) -> str | None:
    """Finish or roll back what an interrupted run left; returns what was done (German) or
    None when the folder was clean."""
    journal = folder / JOURNAL
    if journal.exists():
        try:
            names = list(json.loads(journal.read_text(encoding="utf-8"))["dateien"])
        except (ValueError, KeyError, TypeError, OSError):
            names = None
        if names is None:
            raise InputError(
                "Das Protokoll eines unterbrochenen Laufs ist unlesbar; bitte die Dateien "
                f"{PENDING_PREFIX}*{PENDING_SUFFIX} und die Datei selbst prüfen.",
                path=journal,
            )
        _switch(folder, [str(name) for name in names])
        journal.unlink()
        done = "abgeschlossen"
    else:
        done = None
    leftovers = sorted(folder.glob(f"{PENDING_PREFIX}*{PENDING_SUFFIX}"))
    for leftover in leftovers:
        leftover.unlink()
    if leftovers and done is None:
        done = "zurückgenommen"
    return done
