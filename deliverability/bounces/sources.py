"""Where bounce mails come from: single files, mbox files, Maildir folders and plain folders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from deliverability.bounces.outlook import is_outlook_msg, msg_as_mime
from deliverability.compressed import GZIP_MAGIC, gunzip
from deliverability.errors import InputError

#: The separator line of an mbox file: "From " at the start of a line (RFC 4155).
_MBOX_SEPARATOR = re.compile(rb"^From [^\n]*\n", re.MULTILINE)
_MBOXRD_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_LINE_ENDINGS = re.compile(rb"\r\n?")


@dataclass(frozen=True)
class RawMail:
    """One message as bytes, with the label the analyst sees (`path` or `path#n` in an mbox)."""

    file: str
    data: bytes


def normalize_line_endings(data: bytes) -> bytes:
    """CRLF and lone CR become LF, so every parser sees one kind of line ending."""
    if b"\r" not in data:
        return data
    return _LINE_ENDINGS.sub(b"\n", data)


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"Die Datei kann nicht gelesen werden ({error.strerror}).", path=path
        ) from error
    if data[:2] == GZIP_MAGIC:
        data = gunzip(path)  # bounded: a decompression bomb is refused
    return normalize_line_endings(data)


def is_mbox(data: bytes) -> bool:
    """An mbox file starts with a "From " separator line; a single message starts with headers."""
    return data.startswith(b"From ") and b"\n" in data[:1000]


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox file, with mboxrd ">From " quoting undone."""
    starts = [match.start() for match in _MBOX_SEPARATOR.finditer(data)]
    # A "From " line only separates messages at the file start or after an empty line.
    starts = [start for start in starts if start == 0 or data[start - 2 : start] == b"\n\n"]
    messages = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(data)
        chunk = data[start:end]
        body = chunk[chunk.index(b"\n") + 1 :]
        messages.append(_MBOXRD_QUOTED_FROM.sub(rb"\1", body))
    return messages


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _files_of(folder: Path, seen: set[Path]) -> Iterator[Path]:
    """The files under `folder`; each real folder and file once (`seen` holds their resolved
    paths), so that a symbolic link back up the tree or a second link to one mail does not
    count the same mail again."""
    real = folder.resolve()
    if real in seen:
        return
    seen.add(real)
    if is_maildir(folder):
        for sub in ("new", "cur"):
            yield from _once(sorted(p for p in (folder / sub).iterdir() if p.is_file()), seen)
        return
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            yield from _files_of(path, seen)
        elif path.is_file():
            yield from _once([path], seen)


def _once(files: Iterable[Path], seen: set[Path]) -> Iterator[Path]:
    for file in files:
        real = file.resolve()
        if real not in seen:
            seen.add(real)
            yield file


def iter_mail_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every file under `paths` (files, folders, Maildirs), in order, each real file once; a
    missing path stops."""
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("Die Datei oder der Ordner existiert nicht.", path=path)
        yield from _files_of(path, seen) if path.is_dir() else _once([path], seen)


def mails_of(file: Path) -> list[RawMail]:
    """The messages of one file: a single message, an Outlook `.msg`, or every message of an
    mbox file."""
    data = _read(file)
    if is_outlook_msg(data):
        return [RawMail(str(file), normalize_line_endings(msg_as_mime(file)))]
    if is_mbox(data):
        return [
            RawMail(f"{file}#{number}", message)
            for number, message in enumerate(split_mbox(data), start=1)
        ]
    return [RawMail(str(file), data)]


def iter_mails(paths: Iterable[str | Path]) -> Iterator[RawMail]:
    """Every message under `paths`: files (single message or mbox), folders and Maildirs."""
    for file in iter_mail_files(paths):
        yield from mails_of(file)
