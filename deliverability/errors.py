"""One exception family. Messages are German sentences for the analyst."""

from __future__ import annotations

from pathlib import Path


class DeliverabilityError(Exception):
    """Root of every error this package raises on purpose."""


class InputError(DeliverabilityError):
    """An input file cannot be read or is not in the expected shape.

    Carries the file, and where known the line and field, so that the message points the
    analyst at the exact spot.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.detail = message
        where = []
        if self.path:
            where.append(f"Datei {self.path}")
        if line is not None:
            where.append(f"Zeile {line}")
        if field:
            where.append(f"Feld „{field}“")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)

    def __reduce__(self) -> tuple[object, ...]:
        """Keep file, line and field when the error crosses a process boundary (workers)."""
        return (_input_error, (self.detail, self.path, self.line, self.field))


def _input_error(message: str, path: str | None, line: int | None, field: str | None) -> InputError:
    return InputError(message, path=path, line=line, field=field)


class ConfigError(DeliverabilityError):
    """A parameter, option or configuration value is not usable."""


class OutputError(DeliverabilityError):
    """An output file or folder cannot be written (checked before the work starts)."""


class ReportError(DeliverabilityError):
    """The report could not be produced (notebook failed, output not writable …)."""
