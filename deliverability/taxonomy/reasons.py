"""The reason taxonomy: Sisimai's reason names with German labels and explanations."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from deliverability.errors import ConfigError

Side = Literal["address", "mailbox", "sender", "content", "remote", "platform", "info"]
Nature = Literal["hard", "soft", "undetermined"]

_DATA = Path(__file__).with_name("reasons.toml")
#: Where the fault lies (the `side` of a reason).
SIDES = ("address", "mailbox", "sender", "content", "remote", "platform", "info")
_NATURES = {"hard", "soft", "undetermined"}


@dataclass(frozen=True)
class Reason:
    """One reason of the taxonomy, with its German explanation in three parts."""

    id: str
    label: str
    side: Side
    nature: Nature
    suppress: bool
    what: str
    meaning: str
    action: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@cache
def reasons() -> dict[str, Reason]:
    """All reasons by id, in the order of the data file."""
    with _DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    result: dict[str, Reason] = {}
    for reason_id, entry in raw.items():
        try:
            reason = Reason(id=reason_id, **entry)
        except TypeError as error:
            raise ConfigError(
                f"{_DATA}: Eintrag [{reason_id}] ist unvollständig: {error}"
            ) from error
        if reason.side not in SIDES or reason.nature not in _NATURES:
            raise ConfigError(f"{_DATA}: Eintrag [{reason_id}] hat ungültige side/nature.")
        result[reason_id] = reason
    return result


REASON_IDS: tuple[str, ...] = tuple(reasons())


def get_reason(reason_id: str | None) -> Reason:
    """The reason with this id; unknown or missing ids give `undefined`."""
    table = reasons()
    return table.get(reason_id or "undefined", table["undefined"])
