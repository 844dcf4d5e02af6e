"""Reading input files as text: gzip, BOM, UTF-8 or cp1252, delimiter detection."""

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
    return data[:HEAD_BYTES].decode("utf-8", errors="replace").replace("\r\n", "\n")


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode as UTF-8 (with or without BOM), else as cp1252 (German Excel), else Latin-1."""
    encodings: tuple[str, ...]
    if data.startswith(b"\xef\xbb\xbf"):
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
    raise InputError(
        f"Die Datei ist nicht als UTF-8 lesbar (Byte {last_error.start}).", path=path, line=line
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
