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


@pytest.fixture(scope="session")
def dns_server():
    """dnsmasq on 127.0.0.1 with the test zone of tests/dns_server.py."""
    from .dns_server import start_dns_server, stop_dns_server

    server = start_dns_server()
    yield server
    stop_dns_server(server)


@pytest.fixture(scope="session")
def nxdomain_everything():
    """A locked-down network's DNS server (dnsmasq): NXDOMAIN for every name."""
    from .dns_server import start_dnsmasq, stop_dns_server

    server = start_dnsmasq(["--local=/#/"])
    yield server
    stop_dns_server(server)


@pytest.fixture
def silent_port():
    """A UDP port on 127.0.0.1 where a socket is bound but nothing ever answers."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture(autouse=True)
def crash_logs(tmp_path_factory, monkeypatch):
    """Crash logs of the commands go to a temporary folder, never into the user's home."""
    folder = tmp_path_factory.mktemp("fehlerprotokolle")
    monkeypatch.setenv("DELIVERABILITY_LOG_DIR", str(folder))
    return folder
