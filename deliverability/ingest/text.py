"""Reading input files as text: gzip, BOM, UTF-8, UTF-16/32 or cp1252, delimiter detection."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

from deliverability.errors import InputError

_GZIP_MAGIC = b"\x1f\x8b"
#: How much of a file the format sniffers and header checks read.
HEAD_BYTES = 65536
_DELIMITERS = (";", ",", "\t", "|")
_DELIMITER_NAMES = {";": "Semikolon", ",": "Komma", "\t": "Tabulator", "|": "senkrechter Strich"}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    compressed: bool


def check_input(path: Path, *, folders: bool = True) -> None:
    """An input must be a file (or, with `folders`, a folder such as a Maildir): a pipe or a
    device would block the run until something writes to it, so it is refused at once."""
    if not path.exists() or (path.is_dir() and not folders):
        raise InputError("Die Datei wurde nicht gefunden.", path=path)
    if not (path.is_file() or path.is_dir()):
        raise InputError(
            "Das ist keine gewöhnliche Datei (sondern etwa eine Pipe oder ein Gerät); bitte "
            "den Export als Datei speichern und diese angeben.",
            path=path,
        )


def read_bytes(path: Path) -> tuple[bytes, bool]:
    """The file's bytes, decompressed when it is gzip (by content, not by name)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputError("Die Datei wurde nicht gefunden.", path=path) from error
    except OSError as error:
        raise InputError(
            f"Die Datei kann nicht gelesen werden ({error.strerror}).", path=path
        ) from error
    if data[:2] == _GZIP_MAGIC:
        try:
            return gzip.decompress(data), True
        except (OSError, EOFError) as error:
            raise InputError(
                "Die gzip-Datei ist beschädigt oder unvollständig.", path=path
            ) from error
    return data, False


#: Byte-order marks of the wide encodings (UTF-32 first: its LE mark starts like UTF-16's).
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: How much of the start the content check looks at, and which share of NUL bytes in the
#: expected places counts as wide text (text in these encodings has NULs where ASCII has
#: none; UTF-8 and cp1252 text has none at all).
_WIDE_SAMPLE = 4096
_WIDE_SHARE = 0.9


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (with byte order) when `data` is such text, by its byte-order mark
    or, without one, by where its NUL bytes are (Exchange and PowerShell exports write UTF-16
    often without a mark); None for any other text."""
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return name
    sample = data[: _WIDE_SAMPLE - _WIDE_SAMPLE % 4]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    quads = len(sample) // 4
    pairs = len(sample) // 2
    share = {
        "utf-32-le": sum(sample[i + 1 : i + 4] == b"\0\0\0" for i in range(0, 4 * quads, 4))
        / quads,
        "utf-32-be": sum(sample[i : i + 3] == b"\0\0\0" for i in range(0, 4 * quads, 4)) / quads,
        "utf-16-le": sample[1::2].count(0) / pairs,
        "utf-16-be": sample[0::2].count(0) / pairs,
    }
    best = max(share, key=lambda name: share[name])
    return best if share[best] >= _WIDE_SHARE else None


def read_head(path: Path) -> str:
    """The first bytes of a file (decompressed when gzip), as text for the sniffers."""
    try:
        with path.open("rb") as handle:
            data = handle.read(HEAD_BYTES)
    except OSError:
        data, _ = read_bytes(path)  # raises the German error
    if data[:2] == _GZIP_MAGIC:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            with path.open("rb") as handle:
                data = b""
                while len(data) < HEAD_BYTES and (chunk := handle.read(HEAD_BYTES)):
                    data += inflater.decompress(chunk, HEAD_BYTES - len(data))
        except zlib.error:
            data, _ = read_bytes(path)  # raises the German error for a broken gzip
    data = data[:HEAD_BYTES]
    wide = wide_encoding(data)
    if wide is not None:
        return data.decode(wide, errors="replace").replace("\r\n", "\n")
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode as UTF-16/32 where it is such text (`wide_encoding`), else as UTF-8 (with or
    without BOM), else as cp1252 (German Excel), else Latin-1."""
    encodings: tuple[str, ...]
    wide = wide_encoding(data)
    if wide is not None:
        encodings = (wide,)
    elif data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp1252", "latin-1")
    last_error: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            last_error = error
    assert last_error is not None
    line = data[: last_error.start].count(b"\n") + 1
    named = {"utf-16": "UTF-16", "utf-32": "UTF-32"}.get((wide or "utf-8")[:6], "UTF-8")
    raise InputError(
        f"Die Datei ist nicht als {named} lesbar (Byte {last_error.start}).", path=path, line=line
    ) from last_error


def read_text(path: Path) -> DecodedText:
    data, compressed = read_bytes(path)
    text, encoding = decode(data, path)
    return DecodedText(text.replace("\r\n", "\n").replace("\r", "\n"), encoding, compressed)


def detect_delimiter(header: str, path: Path) -> str:
    """The delimiter of a CSV header line: the most frequent of ; , tab |."""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise InputError(
            "In der Kopfzeile wurde kein Trennzeichen gefunden (erwartet: Semikolon, Komma "
            "oder Tabulator).",
            path=path,
            line=1,
        )
    return best


def delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))
