"""A bounce mail taken apart: headers, the human-readable report text, DSN and ARF fields.

The original message that many bounces carry (as `message/rfc822`, `text/rfc822-headers` or
pasted below a separator line) is cut off, so its text can never be mistaken for the
server's diagnostic. Its headers are kept, because some servers name the recipient only there.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser, HeaderParser
from email.policy import compat32
from weakref import WeakKeyDictionary

from deliverability.encodings import decode_by_census

_PARSER = BytesParser(policy=compat32)
_HEADER_PARSER = HeaderParser(policy=compat32)

#: Lines after which a plain-text bounce quotes the original message.
ORIGINAL_MESSAGE_MARKERS = re.compile(
    r"^\s*(?:"
    r"-+ ?(?:this is a copy of|below this line is a copy of|the header of the original message"
    r"|original message|original message follows|message header follows|returned message"
    r"|unsent message below|undelivered message follows|headers of the original message"
    r"|the original message was received|a copy of the original message)"
    r"|--- below this line is a copy of the message"
    r"|-+ ?(?:original|returned|undelivered) message(?: header)?s? (?:follows|below)"
    r"|original message headers:"
    r"|\|-+ ?message header follows"
    r"|content-type: message/(?:rfc822|global)"
    r"|content-type: text/rfc822-headers"
    r")"
    # a pasted header block of the original: starts with Return-Path or Received at column 0
    r"|^(?:return-path: ?<|received: from )",
    re.IGNORECASE | re.MULTILINE,
)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|p|div|tr|li)\b[^>]*>", re.IGNORECASE)
_ENTITIES = {"&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'"}


@dataclass
class MailParts:
    """What a parser needs from one message, already decoded to text."""

    headers: Message
    #: the report text written for humans (text/plain, or text/html stripped to text)
    text: str = ""
    #: per-message DSN fields (Reporting-MTA, Arrival-Date …), keys lower case
    dsn_message: dict[str, str] = field(default_factory=dict)
    #: one dict per recipient group of a message/delivery-status part
    dsn_recipients: list[dict[str, str]] = field(default_factory=list)
    #: the fields of a message/feedback-report part (ARF, RFC 5965)
    feedback: dict[str, str] | None = None
    #: headers of the returned original message, when the bounce carries them
    original: Message | None = None
    content_type: str = "text/plain"
    report_type: str = ""


_HEADER_MAPS: WeakKeyDictionary[Message, dict[str, str]] = WeakKeyDictionary()


def _header_map(message: Message) -> dict[str, str]:
    """The message's headers by lower-case name (first occurrence), built once per message."""
    found = _HEADER_MAPS.get(message)
    if found is None:
        found = {}
        for name, value in message.items():
            found.setdefault(name.lower(), value)
        _HEADER_MAPS[message] = found
    return found


def header_text(message: Message, name: str) -> str:
    """A header decoded from RFC 2047 encoded words, unfolded; empty when absent."""
    value = _header_map(message).get(name.lower())
    if value is None:
        return ""
    raw = str(value)
    if "=?" in raw:
        # a broken encoded word (unknown charset, bad base64) stays as it was written
        with contextlib.suppress(UnicodeError, LookupError, ValueError, MessageError):
            raw = str(make_header(decode_header(raw)))
    return " ".join(raw.split())


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or ("iso-2022-jp" if b"\x1b$B" in payload else "utf-8")
    try:
        return payload.decode(charset)
    except (UnicodeDecodeError, LookupError):
        # a wrong or unknown charset: the bytes decide, and a stray byte stays visible as
        # U+FFFD where it stands (an address holding one is rejected, not guessed)
        return decode_by_census(payload)


def html_to_text(html: str) -> str:
    text = _BLOCK_TAG.sub("\n", html)
    text = _TAG.sub("", text)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text


_SURROGATE = re.compile("[\udc80-\udcff]")


def field_text(value: str) -> str:
    """A DSN field value as text: raw 8-bit bytes read as UTF-8, ISO-2022-JP escapes decoded."""
    if "\x1b$" in value or _SURROGATE.search(value):
        raw = value.encode("ascii", "surrogateescape")
        codec = "iso2022_jp" if b"\x1b$" in raw else "utf-8"
        value = raw.decode(codec, "replace")
    return " ".join(value.split())


def _fields(block: Message) -> dict[str, str]:
    return {name.lower(): field_text(str(value)) for name, value in block.items()}


def parse_field_blocks(text: str) -> list[dict[str, str]]:
    """RFC 822 style field groups separated by empty lines, e.g. a DSN given as plain text."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip("\n")):
        if not chunk.strip():
            continue
        parsed = _HEADER_PARSER.parsestr(chunk.lstrip() + "\n\n", headersonly=True)
        fields = _fields(parsed)
        if fields:
            blocks.append(fields)
    return blocks


def _dsn_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [_fields(block) for block in payload if isinstance(block, Message)]
    return parse_field_blocks(_decode(part))


def cut_original(text: str) -> str:
    """The text above the first line that introduces a copy of the original message."""
    match = ORIGINAL_MESSAGE_MARKERS.search(text)
    return text[: match.start()] if match else text


_BOUNDARY = re.compile(rb"""boundary=(?:"([^"\r\n]+)"|([^\s;"]+))""", re.IGNORECASE)


def _returned_part(lowered: bytes) -> int:
    """Where the Content-Type line of a returned message (message/rfc822) ends, else -1."""
    for kind in (b"message/rfc822", b"message/global"):
        start = 0
        while (position := lowered.find(kind, start)) >= 0:
            line_start = lowered.rfind(b"\n", 0, position) + 1
            if lowered.startswith(b"content-type:", line_start):
                return position + len(kind)
            start = position + len(kind)
    return -1


def without_returned_body(data: bytes) -> bytes:
    """The mail with the body of the returned original message left out, its headers kept.

    Only the returned message's headers are ever read (some servers name the recipient
    there); its body – often the whole newsletter with images – would only cost time and
    memory. The cut runs from the end of the returned headers to the next boundary line of
    the enclosing multipart; where the structure is not as expected nothing is cut.
    """
    lowered = data.lower()
    found = _returned_part(lowered)
    if found < 0:
        return data
    part_headers_end = data.find(b"\n\n", found)
    if part_headers_end < 0:
        return data
    returned_headers_end = data.find(b"\n\n", part_headers_end + 2)
    if returned_headers_end < 0:
        return data
    last_boundary = lowered.rfind(b"boundary=", 0, found)
    parameter = _BOUNDARY.match(data, last_boundary) if last_boundary >= 0 else None
    if parameter is None:
        return data
    boundary = b"\n--" + (parameter.group(1) or parameter.group(2))
    next_boundary = data.find(boundary, returned_headers_end)
    if next_boundary < 0:  # not the enclosing multipart's boundary after all: keep everything
        return data
    return data[: returned_headers_end + 1] + data[next_boundary:]


def parse_mail(data: bytes) -> MailParts:
    """Take one message apart. Never raises on malformed MIME: it keeps what it can read."""
    message = _PARSER.parsebytes(without_returned_body(data))
    parts = MailParts(headers=message, content_type=message.get_content_type())
    parts.report_type = (message.get_param("report-type") or "").__str__().lower()
    plain: list[str] = []
    html: list[str] = []
    _walk(message, parts, plain, html)
    text = "\n".join(plain) if plain else html_to_text("\n".join(html))
    parts.text = cut_original(text)
    return parts


def _walk(part: Message, parts: MailParts, plain: list[str], html: list[str]) -> None:
    kind = part.get_content_type()
    if part.is_multipart() and kind.startswith("multipart/"):
        if kind == "multipart/report" and not parts.report_type:
            parts.report_type = str(part.get_param("report-type") or "").lower()
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _walk(sub, parts, plain, html)
        return
    if kind.startswith("multipart/") and not part.is_multipart():
        # A broken boundary: the parts cannot be separated, so the whole body is read as text.
        plain.append(_decode(part))
        return
    if kind in ("message/delivery-status", "message/global-delivery-status"):
        blocks = _dsn_blocks(part)
        if blocks:
            per_message, *recipients = blocks
            if "final-recipient" in per_message or "original-recipient" in per_message:
                recipients.insert(0, per_message)
                per_message = {}
            parts.dsn_message.update(per_message)
            parts.dsn_recipients.extend(recipients)
        return
    if kind == "message/feedback-report":
        fields: dict[str, str] = {}
        for block in _dsn_blocks(part):
            fields.update(block)
        parts.feedback = fields
        return
    if kind in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        if parts.original is None and isinstance(payload, list) and payload:
            first = payload[0]
            parts.original = first if isinstance(first, Message) else None
        return
    if kind in ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers"):
        if parts.original is None:
            parts.original = _HEADER_PARSER.parsestr(_decode(part), headersonly=True)
        return
    if kind.startswith("text/") or not kind:
        if "content-disposition" in _header_map(part) and part.get_filename():
            return
        if kind == "text/html":
            html.append(_decode(part))
        elif kind == "text/plain" or part is parts.headers:
            plain.append(_decode(part))
