"""The one check every loader applies to a recipient address after cleaning it."""

from __future__ import annotations

import polars as pl

from deliverability.encodings import REPLACED
from deliverability.ingest.text import DAMAGED_ADDRESS
from deliverability.text_expr import format_text

#: Characters no address can hold: line breaks, tabs and the other C0 controls, DEL
#: (RFC 5321 4.1.2 allows none of them, not even in a quoted local part).
CONTROL_CHARACTERS = [chr(code) for code in range(32)] + ["\x7f"]
#: A quoted local part (RFC 5321 4.1.2, ``"Erika Muster"@example.de``) is the only place an
#: address may hold a space.
_QUOTED_LOCAL_PART = r'^"[^"]*"@[^\s@"]+$'
_SHOWN_CONTROL = "⏎"


def recipient_check(recipient: pl.Expr, domain: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(condition that the cleaned `recipient` is unusable, German reason) — `domain` is its
    domain as `addresses.domain_of` finds it (null when there is none)."""
    missing = recipient.is_null() | (recipient.str.len_chars() == 0)
    damaged = recipient.str.contains(REPLACED, literal=True)
    control = recipient.str.contains_any(CONTROL_CHARACTERS)
    spaced = recipient.str.contains(r"\s") & ~recipient.str.contains(_QUOTED_LOCAL_PART)
    shown = recipient.str.replace_all(r"\r\n|[\x00-\x1f\x7f]", _SHOWN_CONTROL)
    reason = (
        pl.when(missing)
        .then(pl.lit("Empfängeradresse fehlt."))
        .when(damaged)
        .then(format_text(DAMAGED_ADDRESS, recipient))
        .when(control)
        .then(
            format_text(
                "Empfängeradresse „{}“ enthält einen Zeilenumbruch oder ein anderes "
                f"Steuerzeichen (als {_SHOWN_CONTROL} gezeigt); eine Adresse steht in einer "
                "Zeile – vermutlich ist ein Anführungszeichen in der Datei falsch gesetzt.",
                shown,
            )
        )
        .when(domain.is_null())
        .then(
            format_text(
                "Empfängeradresse „{}“ enthält kein @ mit einer Domain dahinter.", recipient
            )
        )
        .when(spaced)
        .then(
            format_text(
                "Empfängeradresse „{}“ enthält ein Leerzeichen; eine Adresse hat keines "
                "(außer in Anführungszeichen vor dem @).",
                recipient,
            )
        )
    )
    condition = (missing | damaged | control | domain.is_null() | spaced).fill_null(True)
    return condition, reason
