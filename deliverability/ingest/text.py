"""Reading input files as text: gzip, BOM, UTF-8, UTF-16/32 or cp1252, delimiter detection."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deliverability.compressed import GZIP_MAGIC, gunzip_chunks
from deliverability.encodings import REPLACED, ByteCensus
from deliverability.errors import InputError

#: How much of a file the format sniffers and header checks read.
HEAD_BYTES = 65536
#: The delimiters a CSV file may use.
DELIMITERS = (";", ",", "\t", "|")
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
    """The file's bytes, decompressed when it is gzip (by content, not by name), within the
    expansion bound."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(2)
            if magic != GZIP_MAGIC:
                return magic + handle.read(), False
    except FileNotFoundError as error:
        raise InputError("Die Datei wurde nicht gefunden.", path=path) from error
    except OSError as error:
        raise InputError(
            f"Die Datei kann nicht gelesen werden ({error.strerror}).", path=path
        ) from error
    return b"".join(gunzip_chunks(path)), True


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
    if data[:2] == GZIP_MAGIC:
        head = b""
        for piece in gunzip_chunks(path):
            head += piece
            if len(head) >= HEAD_BYTES:
                break
        data = head
    data = data[:HEAD_BYTES]
    wide = wide_encoding(data)
    if wide is not None:
        return data.decode(wide, errors="replace").replace("\r\n", "\n")
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


#: The reason an entry is rejected whose address holds such a byte (`format_text` pattern).
DAMAGED_ADDRESS = (
    "Empfängeradresse „{}“ enthält Bytes, die in der Kodierung der Datei ungültig sind (�); "
    "sie würde verfälscht geladen. Bitte die Kodierung des Exports prüfen."
)
#: Appended to the encoding's name when some bytes were not valid in it (shown in the
#: accounting; the loaders reject each entry that contains such a byte).
DAMAGED = " mit ungültigen Bytes"


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode as UTF-16/32 where it is such text (`wide_encoding`), else as the encoding the
    whole file's bytes point to (`ByteCensus`: UTF-8 with or without BOM, cp1252, Latin-1).
    Bytes that are not valid in the chosen encoding become U+FFFD and the name gets `DAMAGED`
    (each entry with one is rejected by the loader, never the whole file re-decoded)."""
    wide = wide_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise InputError(
                f"Die Datei ist nicht als {wide[:6].upper()} lesbar (Byte {error.start}).",
                path=path,
                line=line,
            ) from error
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:  # the common case, at the decoder's speed
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            census = ByteCensus()
            census.add(data, final=True)
            encoding = census.encoding()
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return data.decode(encoding, errors="replace"), encoding + DAMAGED


def _chunks(path: Path, compressed: bool) -> Iterator[bytes]:
    """The file's bytes (decompressed when `compressed`) in chunks of about 1 MiB."""
    if compressed:
        yield from gunzip_chunks(path)
        return
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                yield block
    except OSError as error:
        raise InputError(
            f"Die Datei kann nicht gelesen werden ({error.strerror}).", path=path
        ) from error


def plain_utf8_copy(path: Path, target: Path) -> tuple[str, bool]:
    """Copy `path` into `target` as plain UTF-8 without BOM (gzip decompressed, other
    encodings re-encoded), chunk by chunk in bounded memory; returns (encoding, compressed)
    as `read_text` names them. The encoding is decided once for the whole file
    (`ByteCensus`); wide encodings are read whole (`decode`)."""
    compressed = _is_gzip(path)
    chunks = _chunks(path, compressed)
    census, name = ByteCensus(), ""
    with target.open("wb") as out:
        for chunk in chunks:
            if not name:  # the first chunk
                if wide_encoding(chunk[:_WIDE_SAMPLE]) is not None:
                    text, encoding = decode(chunk + b"".join(chunks), path)
                    out.write(text.encode("utf-8"))
                    return encoding, compressed
                name = "utf-8"
                if chunk.startswith(b"\xef\xbb\xbf"):
                    chunk, name = chunk[3:], "utf-8-sig"
            census.add(chunk)
            out.write(chunk)
        census.add(b"", final=True)
    encoding = name if name == "utf-8-sig" else census.encoding()
    if census.stray == 0:
        return encoding, compressed
    raw = target.with_name(target.name + ".roh")  # re-encoded one chunk at a time
    target.rename(raw)
    decoder = codecs.getincrementaldecoder(encoding.removesuffix("-sig"))(errors="replace")
    damaged = False
    with raw.open("rb") as source, target.open("wb") as out:
        while block := source.read(1 << 20):
            text = decoder.decode(block)
            damaged = damaged or REPLACED in text
            out.write(text.encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    raw.unlink()
    return encoding + (DAMAGED if damaged else ""), compressed


def _is_gzip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return False


def read_text(path: Path) -> DecodedText:
    data, compressed = read_bytes(path)
    text, encoding = decode(data, path)
    return DecodedText(text.replace("\r\n", "\n").replace("\r", "\n"), encoding, compressed)


def detect_delimiter(header: str, path: Path) -> str:
    """The delimiter of a CSV header line: the most frequent of ; , tab |."""
    counts = {d: header.count(d) for d in DELIMITERS}
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
