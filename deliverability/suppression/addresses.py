"""Addresses as the suppression list compares and writes them.

An address is kept with its local part as written and its domain in IDNA form; two
addresses are the same when they are equal without regard to case.
"""

from __future__ import annotations

import polars as pl

from deliverability.text_expr import format_text


def address_key() -> pl.Expr:
    """Normalized address: local part as written, IDNA domain; lower-cased for comparison."""
    local = pl.col("recipient").str.replace(r"@[^@]*$", "")
    return format_text("{}@{}", local, pl.col("recipient_domain"))


def normalize_email(email: str) -> str:
    """One address as the suppression list writes it: local part as written, IDNA domain."""
    from deliverability.addresses import clean_address, domain_of, normalize_domains

    frame = pl.DataFrame({"recipient": [email]}).with_columns(
        recipient=clean_address(pl.col("recipient"))
    )
    frame = normalize_domains(frame.with_columns(recipient_domain=domain_of(pl.col("recipient"))))
    return str(frame.select(address_key()).item())


def normalize_address(email: str) -> str:
    """The comparison key of one address: `normalize_email`, lower case."""
    return normalize_email(email).lower()
