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
- `.lauf.lock` – held while a run reads and rewrites a file, so that two runs at the same
  time (the scheduled report and an analyst's `suppress`) take turns instead of one
  overwriting what the other just added.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
)

EVENTS_FILE = "ereignisse.parquet"
HISTORY_FILE = "verlauf.csv"
STATE_FILE = "sperrliste.parquet"
EXPORTS_FILE = "exporte.json"
POLICY_FILE = "sperrregeln.json"
LOCK_FILE = ".lauf.lock"
WEEKLY_COUNTS_FILE = "wochenwerte.parquet"
#: What makes two events the same event, whichever file they came from.
EVENT_KEY = ("timestamp", "recipient", "event", "message_id", "status", "diagnostic")


#: The history's text columns, escaped for Excel (`escape_cell`) and read back unescaped.
HISTORY_TEXT = ("address", "email", "note", "by")


def escape_cell(value: str) -> str:
    """A reversible Excel-safe cell: `'` before a formula start and before a leading `'`."""
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "'")) else value


def unescape_cell(value: str) -> str:
    """The value `escape_cell` was given."""
    return value[1:] if value.startswith("'") else value


class _Held(threading.local):
    """The folders whose lock this thread holds (`StateDir.changing`)."""

    def __init__(self) -> None:
        self.folders: set[str] = set()


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

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the folder's lock while reading and rewriting (other runs wait their turn).

        Re-entrant within a thread: a step that holds the lock can call others that take it.
        """
        key = str(self.path.resolve())
        if key in _HELD.folders:  # an outer step of this thread holds it
            yield
            return
        try:
            import fcntl
        except ImportError:  # not on a POSIX system: no lock
            yield
            return
        self.path.mkdir(parents=True, exist_ok=True)
        with self._file(LOCK_FILE).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            _HELD.folders.add(key)
            try:
                yield
            finally:
                _HELD.folders.discard(key)
                fcntl.flock(handle, fcntl.LOCK_UN)

    # events -------------------------------------------------------------------------------
    def events(self) -> pl.DataFrame:
        path = self._file(EVENTS_FILE)
        if not path.exists():
            return pl.DataFrame(schema=EVENT_SCHEMA)
        return pl.read_parquet(path)

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
        path = self._file(WEEKLY_COUNTS_FILE)
        return pl.read_parquet(path) if path.exists() else None

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
        path = self._file(HISTORY_FILE)
        if not path.exists():
            return empty_history()
        try:
            frame = pl.read_csv(path, schema=HISTORY_SCHEMA, try_parse_dates=False)
        except (pl.exceptions.PolarsError, OSError) as error:
            raise InputError(
                f"Der Verlauf kann nicht gelesen werden ({error}).", path=path
            ) from error
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
        write_bytes_atomic(buffer.getvalue().encode("utf-8"), self._file(HISTORY_FILE))

    # policy -------------------------------------------------------------------------------
    def recorded_policy(self) -> dict[str, object] | None:
        """The policy the state was last built with (None for a new folder)."""
        path = self._file(POLICY_FILE)
        if not path.exists():
            return None
        return dict(json.loads(path.read_text(encoding="utf-8")))

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
        write_bytes_atomic(data, self._file(POLICY_FILE))

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
        path = self._file(STATE_FILE)
        return pl.read_parquet(path) if path.exists() else None

    # exports ------------------------------------------------------------------------------
    def last_exports(self) -> dict[str, datetime]:
        path = self._file(EXPORTS_FILE)
        if not path.exists():
            return {}
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: datetime.fromisoformat(value) for name, value in raw.items()}

    def mark_exported(self, fmt: str, when: datetime) -> None:
        with self.changing():
            marks = {name: value.isoformat() for name, value in self.last_exports().items()}
            marks[fmt] = when.isoformat()
            data = json.dumps(marks, indent=2, sort_keys=True).encode("utf-8")
            write_bytes_atomic(data, self._file(EXPORTS_FILE))

    def _write_parquet(self, frame: pl.DataFrame, name: str) -> None:
        write_parquet_atomic(frame, self._file(name))


def _shown(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
