"""Recipient addresses as DSN fields write them (RFC 3464 2.3.1/2.3.2, RFC 3461 4, RFC 6533).

A recipient field is ``address-type; address``. `rfc822` (and RFC 6533's `utf-8`) carry an
internet address, possibly in angle brackets or with a display name; Original-Recipient
copies the ORCPT parameter, whose `rfc822` value is xtext-encoded (``+2B`` for ``+``).
`x400` carries an X.400 O/R address (``/C=DE/ADMD=…/PRMD=…/O=…/S=Muster/G=Erika/``); its
internet form, where the gateway kept one, is the domain-defined attribute ``RFC-822``
(RFC 2156 4.2.2, with the RFC 1327 escapes ``(a)`` for ``@`` and so on).
"""

from __future__ import annotations

import re
from email.utils import parseaddr

_XTEXT = re.compile(r"\+([0-9A-Fa-f]{2})")
#: RFC 2156 4.2.2 / RFC 1327 printable-string escapes inside an RFC-822 DDA.
_X400_ESCAPES = {"(a)": "@", "(p)": "%", "(b)": "!", "(q)": '"', "(u)": "_", "(l)": "(", "(r)": ")"}
_X400_RFC822 = re.compile(r"/(?:DDA|DD)\.RFC-?822=([^/]+)", re.IGNORECASE)
_MAIL = re.compile(r"^[^\s@<>]+@[^\s@<>]+$")
_SIMPLE = re.compile(r"^<?([^\s@<>\"(),;:]+@[^\s@<>\"(),;:]+)>?$")


def _x400_internet(value: str) -> str | None:
    """The internet address an X.400 O/R address carries in its RFC-822 attribute."""
    match = _X400_RFC822.search(value)
    if not match:
        return None
    text = match.group(1)
    for escape, char in _X400_ESCAPES.items():
        text = re.sub(re.escape(escape), char, text, flags=re.IGNORECASE)
    return text if _MAIL.match(text) else None


def recipient_address(field: str | None) -> str | None:
    """The address of a DSN recipient field; an X.400 address without internet form as is."""
    if not field or not field.strip():
        return None
    kind, sep, value = field.partition(";")
    if not sep:
        kind, value = "rfc822", field
    kind = kind.strip().lower()
    value = value.strip()
    if kind == "x400" or (value.startswith("/") and "=" in value and "@" not in value):
        return _x400_internet(value) or value or None
    if "+" in value and _XTEXT.search(value) and "@" in value:
        value = _XTEXT.sub(lambda found: chr(int(found.group(1), 16)), value)
    simple = _SIMPLE.match(value)
    if simple:  # the usual "a@b" or "<a@b>": no need for the full RFC 5322 parser
        return simple.group(1)
    address = parseaddr(value)[1] or value.strip("<> ")
    return address.strip() or None


def is_internet_address(value: str | None) -> bool:
    """True for local@domain, false for X.400 and anything else."""
    return bool(value and _MAIL.match(value))
