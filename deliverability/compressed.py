"""Reading gzip files in bounded chunks: a decompression bomb is refused, not unpacked.

Used by every reader of the package (loaders and the bounce-mail parser alike); imports
nothing but the standard library and the error family.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from deliverability.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"

#: A gzip file may expand to this many times its size, and always to `MIN_EXPANDED` bytes.
#: Text exports compress 5–30 fold; a file that expands 200 fold is not an export but a
#: decompression bomb, refused before it fills the memory.
MAX_EXPANSION = 200
MIN_EXPANDED = 256 * 1024 * 1024
_CHUNK = 1 << 20


def expansion_limit(compressed: int) -> int:
    """How many bytes a gzip file of `compressed` bytes may expand to."""
    return max(MIN_EXPANDED, MAX_EXPANSION * compressed)


def _too_large(path: Path, compressed: int) -> InputError:
    limit = expansion_limit(compressed)
    return InputError(
        f"Die gzip-Datei entpackt sich auf mehr als {limit // (1024 * 1024):_} MiB, über das "
        f"{MAX_EXPANSION}-Fache ihrer Größe; so stark lassen sich Exporte nicht packen "
        "(beschädigt oder absichtlich präpariert?). Bitte die Datei prüfen.".replace("_", "."),
        path=path,
    )


def gunzip_chunks(path: Path) -> Iterator[bytes]:
    """The decompressed bytes of a gzip file in chunks of at most 1 MiB, with the expansion
    bound (`expansion_limit`) and German errors for a damaged or truncated file. Files of
    several gzip members (concatenated) are read to the end."""
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as error:
        raise InputError(
            f"Die Datei kann nicht gelesen werden ({error.strerror}).", path=path
        ) from error
    limit, total = expansion_limit(size), 0
    with handle:
        inflater, started, buffer = zlib.decompressobj(16 + zlib.MAX_WBITS), False, b""
        try:
            while True:
                if not buffer:
                    buffer = handle.read(_CHUNK)
                    if not buffer:
                        break
                if not started and not buffer.strip(b"\0"):
                    buffer = b""  # zero padding after the last member
                    continue
                piece = inflater.decompress(buffer, _CHUNK)
                started = True
                buffer = inflater.unconsumed_tail
                total += len(piece)
                if total > limit:
                    raise _too_large(path, size)
                if piece:
                    yield piece
                if inflater.eof:  # the next member, if the file has several
                    buffer = inflater.unused_data + buffer
                    inflater, started = zlib.decompressobj(16 + zlib.MAX_WBITS), False
        except zlib.error as error:
            raise InputError(
                "Die gzip-Datei ist beschädigt oder unvollständig.", path=path
            ) from error
        if started:
            raise InputError("Die gzip-Datei ist beschädigt oder unvollständig.", path=path)


def gunzip(path: Path) -> bytes:
    """The whole decompressed content of a gzip file (within the expansion bound)."""
    return b"".join(gunzip_chunks(path))
