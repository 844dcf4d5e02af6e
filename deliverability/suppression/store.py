"""The state directory: where the suppression list lives between runs.

Files (all written atomically: temporary file, then rename):
- `ereignisse.parquet` – every event that matters for suppression (bounces, complaints,
  unsubscribes, and deliveries to addresses that ever bounced), accumulated over all runs and
  de-duplicated, so that weekly runs on weekly exports build on each other;
- `verlauf.csv` – the manual actions (restores, manual additions) with who, when and why;
  only ever appended to;
- `sperrliste.parquet` – the state computed from the two, rewritten by every run;
- `exporte.json` – when each export format was last written (for `--since-last`);
- `wochenwerte.parquet` – the weekly report's counts per week and provider (sent,
  delivered, bounced, complaints), so that its twelve-week trend reaches past the inputs;
- `sperrregeln.json` – the suppression policy the state was built with. A run with other
  rules is refused before anything changes (`check_policy`), unless the change is meant
  (`--policy-change`): otherwise the list would switch rules depending on which command ran
  last;
- `.lauf.lock` – held while a run reads and rewrites the folder, so that two runs at the
  same time (the scheduled report and an analyst's `suppress`) take turns instead of one
  overwriting what the other just added; the second one says in German that it waits.

Every change a run makes while it holds the lock is one transaction (`transaction.py`): new
files are written beside the old ones and switched in together at the end, with a journal,
so that an interrupted run (`kill -9`, power cut) leaves the folder as before or as after the
run, never in between. The version before each change is kept as `<name>.vorher.<ext>`; a
damaged file is named in a German error together with that last good copy.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import polars as pl

from deliverability.cells import FORMULA_PREFIXES
from deliverability.errors import ConfigError, InputError
from deliverability.export import write_bytes_atomic, write_parquet_atomic
from deliverability.schema import EVENT_SCHEMA
from deliverability.suppression.addresses import normalize_address, normalize_email
from deliverability.suppression.policy import SuppressionPolicy, policy_record
from deliverability.suppression.state import (
    ACTIONS,
    HISTORY_SCHEMA,
    RELEVANT_EVENTS,
    build_state,
    empty_history,
    relevant_events,
    state_until,
)
from deliverability.suppression.transaction import backup_path, commit, pending_path, recover

EVENTS_FILE = "ereignisse.parquet"
HISTORY_FILE = "verlauf.csv"
STATE_FILE = "sperrliste.parquet"
EXPORTS_FILE = "exporte.json"
POLICY_FILE = "sperrregeln.json"
LOCK_FILE = ".lauf.lock"
WEEKLY_COUNTS_FILE = "wochenwerte.parquet"
#: What makes two events the same event, whichever file they came from.
EVENT_KEY = ("timestamp", "recipient", "event", "message_id", "status", "diagnostic")
T = TypeVar("T")


#: The history's text columns, escaped for Excel (`escape_cell`) and read back unescaped.
HISTORY_TEXT = ("address", "email", "note", "by")


def escape_cell(value: str) -> str:
    """A reversible Excel-safe cell: `'` before a formula start and before a leading `'`."""
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "'")) else value


def unescape_cell(value: str) -> str:
    """The value `escape_cell` was given."""
    return value[1:] if value.startswith("'") else value


class _Held(threading.local):
    """The folders whose lock this thread holds (`StateDir.changing`), each with the names
    of the files its transaction has written so far."""

    def __init__(self) -> None:
        self.folders: dict[str, list[str]] = {}


_HELD = _Held()


def merge_events(stored: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """What the state folder keeps: the relevant events (`state.relevant_events`), each event
    once (the stored copy first), in time order."""
    merged = relevant_events(pl.concat([stored, new]).lazy()).collect()
    return merged.unique(subset=list(EVENT_KEY), keep="first", maintain_order=True).sort(
        "timestamp", "source_ref"
    )


@dataclass(frozen=True)
class StateDir:
    """A user-chosen folder that holds the suppression state."""

    path: Path

    def __post_init__(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise ConfigError(f"{self.path} ist kein Ordner.")

    def require_existing(self) -> None:
        """Refuse a folder that holds no suppression list (a typo must not create one)."""
        if not any(self._file(name).exists() for name in (EVENTS_FILE, HISTORY_FILE, STATE_FILE)):
            raise ConfigError(
                f"In {self.path} liegt keine Sperrliste (es fehlen {EVENTS_FILE}, "
                f"{HISTORY_FILE} und {STATE_FILE}); bitte den Ordner prüfen."
            )

    def _file(self, name: str) -> Path:
        return self.path / name

    @property
    def _key(self) -> str:
        """The folder as `_HELD` knows it."""
        return str(self.path.resolve())

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the folder's lock and make every write until the end one transaction: all new
        files are switched in together when the block ends, none when it fails.

        Re-entrant within a thread: a step that holds the lock can call others that take it.
        """
        key = self._key
        if key in _HELD.folders:  # an outer step of this thread holds it
            yield
            return
        self.path.mkdir(parents=True, exist_ok=True)
        with self._locked():
            written: list[str] = []
            _HELD.folders[key] = written
            try:
                done = recover(self.path)
                if done:
                    print(
                        f"Hinweis: Ein unterbrochener Lauf in {self.path} wurde {done}.",
                        file=sys.stderr,
                    )
                yield
                commit(self.path, written)
            except BaseException:
                for name in written:
                    pending_path(self.path, name).unlink(missing_ok=True)
                raise
            finally:
                del _HELD.folders[key]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The folder's lock file, held exclusively; a busy folder is waited for (and said)."""
        try:
            import fcntl
        except ImportError:  # not on a POSIX system: no lock
            yield
            return
        with self._file(LOCK_FILE).open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print(
                    f"Die Sperrliste in {self.path} wird gerade von einem anderen Lauf geändert; "
                    "dieser Lauf wartet, bis er fertig ist.",
                    file=sys.stderr,
                )
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _current(self, name: str) -> Path:
        """The file to read: this run's new version if it wrote one, else the stored one."""
        written = _HELD.folders.get(self._key, [])
        return pending_path(self.path, name) if name in written else self._file(name)

    def _write(self, name: str, write: Callable[[Path], None]) -> None:
        """Write the new version of `name` for the running transaction."""
        with self.changing():
            write(pending_path(self.path, name))
            written = _HELD.folders[self._key]
            if name not in written:
                written.append(name)

    def _read(self, name: str, read: Callable[[Path], T], missing: T) -> T:
        """`read` the current version of `name` (`missing` when there is none); a damaged file
        is a German error that names the last good copy."""
        path = self._current(name)
        if not path.exists():
            return missing
        try:
            return read(path)
        except (pl.exceptions.PolarsError, OSError, ValueError, KeyError, TypeError) as error:
            backup = backup_path(self.path, name)
            where = (
                f"Die letzte gute Fassung liegt in {backup}; bitte sie an die Stelle der "
                "beschädigten Datei kopieren und den Lauf wiederholen."
                if backup.exists()
                else "Eine frühere Fassung gibt es nicht."
            )
            raise InputError(
                f"Die Datei der Sperrliste ist beschädigt und kann nicht gelesen werden "
                f"({type(error).__name__}). {where}",
                path=path,
            ) from error

    # events -------------------------------------------------------------------------------
    def events(self) -> pl.DataFrame:
        return self._read(EVENTS_FILE, pl.read_parquet, pl.DataFrame(schema=EVENT_SCHEMA))

    def add_events(self, new: pl.DataFrame) -> pl.DataFrame:
        """Merge `new` into the stored events (duplicates dropped); returns all of them."""
        relevant = new.filter(pl.col("event").cast(pl.String).is_in(RELEVANT_EVENTS))
        with self.changing():
            return self._merge_events(relevant.select(EVENT_SCHEMA.names()))

    def _merge_events(self, relevant: pl.DataFrame) -> pl.DataFrame:
        merged = merge_events(self.events(), relevant)
        self._write_parquet(merged, EVENTS_FILE)
        return merged

    # weekly counts --------------------------------------------------------------------------
    def weekly_counts(self) -> pl.DataFrame | None:
        """The weekly counts kept by earlier reports (None before the first)."""
        return self._read(WEEKLY_COUNTS_FILE, pl.read_parquet, None)

    def update_weekly_counts(
        self, merge: Callable[[pl.DataFrame | None], pl.DataFrame]
    ) -> pl.DataFrame:
        """Replace the weekly counts with `merge(stored)`, holding the folder's lock."""
        with self.changing():
            merged = merge(self.weekly_counts())
            self._write_parquet(merged, WEEKLY_COUNTS_FILE)
            return merged

    # history ------------------------------------------------------------------------------
    def history(self) -> pl.DataFrame:
        frame = self._read(
            HISTORY_FILE,
            lambda path: pl.read_csv(path, schema=HISTORY_SCHEMA, try_parse_dates=False),
            empty_history(),
        )
        return frame.with_columns(
            pl.col(name).map_elements(unescape_cell, return_dtype=pl.String)
            for name in HISTORY_TEXT
        )

    def record(
        self,
        action: str,
        email: str,
        note: str,
        by: str | None = None,
        when: datetime | None = None,
    ) -> pl.DataFrame:
        """Append one manual action (restore or add) with a written reason (at `when`, now)."""
        if action not in ACTIONS:
            raise ConfigError(f"Unbekannte Aktion „{action}“.")
        if not note or not note.strip():
            raise ConfigError(
                "Bitte einen Grund angeben (--reason), er wird im Verlauf gespeichert."
            )
        email = email.strip()
        if "@" not in email:
            raise InputError("Das ist keine E-Mail-Adresse.", field=email)
        row = pl.DataFrame(
            {
                "recorded_at": [when or datetime.now(UTC)],
                "action": [action],
                "address": [normalize_address(email)],
                "email": [normalize_email(email)],
                "note": [note.strip()],
                "by": [by or os.environ.get("USER") or os.environ.get("USERNAME") or "unbekannt"],
            },
            schema=HISTORY_SCHEMA,
        )
        with self.changing():
            history = pl.concat([self.history(), row])
            self._write_history(history)
        return history

    def _write_history(self, history: pl.DataFrame) -> None:
        safe = history.with_columns(
            pl.col(name).map_elements(escape_cell, return_dtype=pl.String) for name in HISTORY_TEXT
        )
        buffer = io.StringIO()
        safe.write_csv(buffer, datetime_format="%Y-%m-%dT%H:%M:%S%.6fZ")
        data = buffer.getvalue().encode("utf-8")
        self._write(HISTORY_FILE, lambda path: write_bytes_atomic(data, path))

    # policy -------------------------------------------------------------------------------
    def recorded_policy(self) -> dict[str, object] | None:
        """The policy the state was last built with (None for a new folder)."""
        return self._read(POLICY_FILE, lambda path: dict(json.loads(path.read_text("utf-8"))), None)

    def check_policy(self, policy: SuppressionPolicy, accept_change: bool = False) -> None:
        """Refuse rules other than the recorded ones, unless the change is meant."""
        recorded = self.recorded_policy()
        wanted = policy_record(policy)
        if recorded is None or recorded == wanted or accept_change:
            return
        changes = "; ".join(
            f"{key} {_shown(recorded.get(key))} → {_shown(value)}"
            for key, value in wanted.items()
            if recorded.get(key) != value
        )
        raise ConfigError(
            f"Die Sperrliste in {self.path} wurde mit anderen Sperrregeln geführt ({changes}). "
            "Nichts wurde geändert. Bitte dieselbe Einstellungsdatei verwenden oder die neuen "
            "Regeln mit --policy-change bewusst übernehmen."
        )

    def _record_policy(self, policy: SuppressionPolicy) -> None:
        data = json.dumps(policy_record(policy), indent=2, sort_keys=True).encode("utf-8")
        self._write(POLICY_FILE, lambda path: write_bytes_atomic(data, path))

    # state --------------------------------------------------------------------------------
    def rebuild(self, policy: SuppressionPolicy) -> pl.DataFrame:
        """Compute the state from the stored events and the history and save it."""
        with self.changing():
            state = build_state(self.events().lazy(), self.history(), policy)
            self._write_parquet(state, STATE_FILE)
            self._record_policy(policy)
        return state

    def save(self, events: pl.DataFrame, state: pl.DataFrame, policy: SuppressionPolicy) -> None:
        """Store events and state computed elsewhere (the Spark engine)."""
        with self.changing():
            self._write_parquet(events.select(EVENT_SCHEMA.names()).cast(EVENT_SCHEMA), EVENTS_FILE)
            self._write_parquet(state, STATE_FILE)
            self._record_policy(policy)

    def state(self) -> pl.DataFrame | None:
        return self._read(STATE_FILE, pl.read_parquet, None)

    def current_state(self, policy: SuppressionPolicy) -> pl.DataFrame:
        """The stored list where it was built with `policy` (every change rebuilds it in the
        same transaction), else rebuilt with it."""
        stored = self.state() if self.recorded_policy() == policy_record(policy) else None
        return stored if stored is not None else self.rebuild(policy)

    def state_until(self, policy: SuppressionPolicy, until: datetime) -> pl.DataFrame:
        """The list as it stood at `until` (`state.state_until`); nothing is saved."""
        return state_until(self.events().lazy(), self.history(), policy, until)

    # exports ------------------------------------------------------------------------------
    def last_exports(self) -> dict[str, datetime]:

        def read(path: Path) -> dict[str, datetime]:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return {name: datetime.fromisoformat(value) for name, value in raw.items()}

        return self._read(EXPORTS_FILE, read, {})

    def mark_exported(self, fmt: str, when: datetime) -> None:
        with self.changing():
            marks = {name: value.isoformat() for name, value in self.last_exports().items()}
            marks[fmt] = when.isoformat()
            data = json.dumps(marks, indent=2, sort_keys=True).encode("utf-8")
            self._write(EXPORTS_FILE, lambda path: write_bytes_atomic(data, path))

    def _write_parquet(self, frame: pl.DataFrame, name: str) -> None:
        self._write(name, lambda path: write_parquet_atomic(frame, path))


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
