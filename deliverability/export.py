"""Writing CSV files that are safe to open in Excel, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import polars as pl

from deliverability.cells import FORMULA_PREFIXES
from deliverability.errors import DeliverabilityError, OutputError


def neutralize_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that start like a formula with an apostrophe."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    risky = (
        "^["
        + "".join(
            {"\t": r"\t", "\r": r"\r", "-": r"\-", "+": r"\+"}.get(c, c) for c in FORMULA_PREFIXES
        )
        + "]"
    )
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(risky))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def _existing_ancestor(path: Path) -> Path:
    """The nearest folder above `path` (or `path` itself) that exists."""
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def check_output(path: Path, *, folder: bool = False) -> Path:
    """Refuse an output that cannot be written, before any work starts.

    `path` is a file to write (or, with `folder`, a folder to write into): it must not be
    the other kind, and the nearest existing folder above it must be a writable folder.
    """
    path = Path(path)
    if path.exists():
        if folder and not path.is_dir():
            raise OutputError(f"Der Ausgabeordner {path} ist eine Datei, kein Ordner.")
        if not folder and path.is_dir():
            raise OutputError(
                f"Die Ausgabedatei {path} ist ein Ordner; bitte einen Dateinamen angeben."
            )
    base = _existing_ancestor(path if folder else path.parent)
    if not base.is_dir():
        raise OutputError(f"{path} kann nicht angelegt werden: {base} ist eine Datei, kein Ordner.")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(
            f"{path} kann nicht geschrieben werden: der Ordner {base} ist schreibgeschützt."
        )
    return path


def _german(error: OSError, path: Path) -> OutputError:
    """One German sentence for a failed write."""
    import errno

    reasons = {
        errno.ENOSPC: "der Datenträger ist voll",
        errno.EDQUOT: "das Speicherkontingent ist erschöpft",
        errno.EFBIG: "die Datei überschreitet die erlaubte Größe",
        errno.EACCES: "keine Schreibrechte",
        errno.EPERM: "keine Schreibrechte",
        errno.EROFS: "das Dateisystem ist schreibgeschützt",
        errno.EEXIST: "auf dem Weg dorthin liegt eine Datei statt eines Ordners",
        errno.ENOTDIR: "auf dem Weg dorthin liegt eine Datei statt eines Ordners",
        errno.EISDIR: "dort liegt ein Ordner",
        errno.ENAMETOOLONG: "der Name ist zu lang",
    }
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    return OutputError(
        f"{path} konnte nicht geschrieben werden: {reason}. Die alte Datei ist unverändert."
    )


def write_atomic(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """`write` into a temporary file beside `path`, flush it to disk, then rename it over
    `path`: readers see the old file or the new one, never a part. A failed write (full
    disk, no rights) leaves the old file and raises `OutputError`."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise _german(error, path) from error
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def replace_atomic(finished: Path, path: Path) -> None:
    """Put `finished`, a complete file in `path`'s folder, in place of `path`: flushed to
    disk, then renamed over it (readers see the old file or the new one, never a part). A
    failure (full disk, no rights) leaves the old file and raises `OutputError`."""
    try:
        with finished.open("rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(finished, path)
    except OSError as error:
        finished.unlink(missing_ok=True)
        raise _german(error, path) from error


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write `data` to `path` atomically (`write_atomic`)."""
    write_atomic(path, lambda stream: stream.write(data))


def write_parquet_atomic(frame: pl.DataFrame, path: Path) -> None:
    """Write `frame` as Parquet to `path` atomically, straight into the file (no copy).
    zstd at level 1: a sixth less time than polars' default level for a tenth more bytes."""
    write_atomic(
        path, lambda stream: frame.write_parquet(stream, compression="zstd", compression_level=1)
    )


def write_csv(
    frame: pl.DataFrame,
    path: Path,
    *,
    delimiter: str = ",",
    bom: bool = False,
    header: bool = True,
    excel_safe: bool = True,
    decimal_comma: bool = False,
) -> Path:
    """Write `frame` as CSV (UTF-8, optional BOM, optional decimal comma) atomically;
    formulas neutralized by default."""
    safe = neutralize_formulas(frame) if excel_safe else frame
    try:
        text = safe.write_csv(
            separator=delimiter, include_header=header, decimal_comma=decimal_comma
        )
    except pl.exceptions.PolarsError as error:
        raise DeliverabilityError(f"CSV für {path} konnte nicht erzeugt werden: {error}") from error
    data = ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")
    write_bytes_atomic(data, path)
    return path
