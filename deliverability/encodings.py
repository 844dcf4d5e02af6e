"""Which encoding a text's bytes are in, when nothing declares it or the declaration is wrong."""

from __future__ import annotations

import codecs

#: Bytes cp1252 leaves undefined: a file with them is Latin-1.
_CP1252_HOLES = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
#: What a byte that is invalid in the file's encoding becomes.
REPLACED = "\ufffd"


class ByteCensus:
    """What the bytes of a file say about its encoding, counted chunk by chunk.

    One decision per file, from the whole file: UTF-8 when its well-formed multi-byte
    sequences are at least as many as its stray bytes (one damaged byte does not turn a UTF-8
    file into cp1252, which would garble every umlaut), else cp1252 (German Excel), or
    Latin-1 where cp1252 has holes. The count is the UTF-8 decoder's own (each invalid byte
    or cut sequence becomes one U+FFFD), incremental, so a sequence cut by a chunk boundary
    is seen whole.
    """

    def __init__(self) -> None:
        self.sequences = 0
        self.stray = 0
        self.holes = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def add(self, chunk: bytes, *, final: bool = False) -> None:
        text = self._decoder.decode(chunk, final)
        stray = text.count(REPLACED)
        beyond_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
        self.sequences += beyond_ascii - stray
        self.stray += stray
        if stray and not self.holes:
            self.holes = any(hole in chunk for hole in _CP1252_HOLES)

    def encoding(self) -> str:
        if self.stray == 0 or self.sequences >= self.stray:
            return "utf-8"
        return "latin-1" if self.holes else "cp1252"


def decode_by_census(data: bytes) -> str:
    """`data` as the encoding its bytes point to (`ByteCensus`); a byte invalid in it
    becomes `REPLACED` where it stands, so no other character is changed."""
    census = ByteCensus()
    census.add(data, final=True)
    return data.decode(census.encoding(), errors="replace")
