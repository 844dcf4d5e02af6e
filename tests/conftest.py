"""Shared fixtures: small event files written by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

HEADER = "timestamp,message_id,sender,recipient,event,bounce_type,reason,smtp_code,status,diagnostic,source"


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write text to a file in tmp_path with a given encoding; returns the path."""

    def _write(text: str, name: str = "events.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
