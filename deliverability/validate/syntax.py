"""Address syntax with email-validator, and the German reason when an address is broken.

email-validator decides; a fast path accepts only plain ASCII addresses of the dot-atom form
that email-validator would accept anyway (a test checks the agreement), so that lists with
millions of ordinary addresses are checked quickly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_PLAIN = re.compile(
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}}"
)
_SPECIAL_TLDS = frozenset(SPECIAL_USE_DOMAIN_NAMES)

#: email-validator's message (lower case, a distinctive part) → our reason code.
_ERRORS: tuple[tuple[str, str], ...] = (
    ("must have an @-sign", "syntax_no_at"),
    ("invalid characters: '@'", "syntax_double_at"),
    ("contains invalid characters before the @-sign: space", "syntax_space"),
    ("invalid characters after the @-sign: space", "syntax_space"),
    ("space", "syntax_space"),
    ("two periods in a row", "syntax_dots"),
    ("cannot start with a period", "syntax_dots"),
    ("cannot end with a period", "syntax_dots"),
    ("period immediately after the @-sign", "syntax_dots"),
    ("period immediately before the @-sign", "syntax_dots"),
    ("cannot end with a period", "syntax_dots"),
    ("should have a period", "syntax_no_tld"),
    ("not within a valid top-level domain", "syntax_no_tld"),
    ("special-use or reserved name", "syntax_reserved_domain"),
    ("quoting the part before the @-sign", "syntax_quoted"),
    ("too long", "syntax_too_long"),
    ("so many characters", "syntax_too_long"),
    ("there must be something before the @-sign", "syntax_no_local"),
    ("there must be something after the @-sign", "syntax_no_domain"),
)


@dataclass(frozen=True)
class SyntaxResult:
    """The normalized address (local part kept, domain lower case and IDNA) or an error."""

    email: str
    normalized: str | None
    domain: str | None  # ASCII (IDNA) form
    smtputf8: bool = False
    error: str | None = None  # reason code
    detail: str | None = None  # email-validator's English message


def _code(message: str) -> str:
    lower = message.lower()
    for fragment, code in _ERRORS:
        if fragment in lower:
            return code
    return "syntax_other"


@lru_cache(maxsize=1 << 16)
def check_syntax(raw: str) -> SyntaxResult:
    """Trim, then check one address."""
    email = raw.strip()
    if not email:
        return SyntaxResult(email, None, None, error="empty")
    if _PLAIN.fullmatch(email) and len(email) <= 254:
        local, _, domain = email.rpartition("@")
        tld = domain.rsplit(".", 1)[1].lower()
        if len(local) <= 64 and tld not in _SPECIAL_TLDS:
            domain = domain.lower()
            return SyntaxResult(raw, f"{local}@{domain}", domain)
    try:
        valid = validate_email(email, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as error:
        return SyntaxResult(raw, None, None, error=_code(str(error)), detail=str(error))
    ascii_domain = valid.ascii_domain or valid.domain
    normalized = f"{valid.local_part}@{ascii_domain}"
    return SyntaxResult(raw, normalized, ascii_domain, smtputf8=bool(valid.smtputf8))
