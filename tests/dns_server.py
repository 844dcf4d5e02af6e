"""A real DNS server for the tests: dnsmasq on 127.0.0.1 at a free port, with a test zone.

Zone (everything else under .de and .com is NXDOMAIN via --local):
- beispiel.de, firma.de, gmail.com, gmx.de, web.de, t-online.de, mailinator.com and
  bücher.de (xn--bcher-kva.de): MX records
- nura.de: only an A record (implicit MX)
- nullmx.de: null MX ("MX 0 .", RFC 7505)
- keinmail.de: exists (TXT) but has neither MX nor A
- kaputt.de: forwarded to a server that answers every query with SERVFAIL
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

MX_DOMAINS = (
    "beispiel.de",
    "firma.de",
    "gmail.com",
    "gmx.de",
    "web.de",
    "t-online.de",
    "mailinator.com",
    "xn--bcher-kva.de",  # bücher.de
)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dnsmasq_binary() -> str:
    path = shutil.which("dnsmasq") or (
        "/usr/sbin/dnsmasq" if Path("/usr/sbin/dnsmasq").exists() else None
    )
    if path is None:
        raise RuntimeError("dnsmasq fehlt: `./dev test` installiert das Debian-Paket dnsmasq-base.")
    return path


class ServfailServer:
    """Answers every DNS query with SERVFAIL (stands in for a broken upstream)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            try:
                query = dns.message.from_wire(data)
            except Exception:  # noqa: BLE001 - garbage in, nothing out
                continue
            response = dns.message.make_response(query)
            response.set_rcode(dns.rcode.SERVFAIL)
            self.sock.sendto(response.to_wire(), peer)

    def stop(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@dataclass
class DnsServer:
    port: int
    process: subprocess.Popen[bytes]
    servfail: ServfailServer

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


def start_dns_server(extra_args: list[str] | None = None) -> DnsServer:
    """dnsmasq with the test zone (plus `extra_args`)."""
    servfail = ServfailServer()
    args = [
        "--local=/de/",
        "--local=/com/",
        f"--server=/kaputt.de/127.0.0.1#{servfail.port}",
        "--host-record=nura.de,127.0.0.3",
        "--mx-host=nullmx.de,.,0",
        '--txt-record=keinmail.de,"v=spf1 -all"',
    ]
    for domain in MX_DOMAINS:
        args += [f"--mx-host={domain},mx.{domain},10", f"--host-record=mx.{domain},127.0.0.2"]
    return start_dnsmasq(args + (extra_args or []), servfail)


def start_dnsmasq(zone_args: list[str], servfail: ServfailServer | None = None) -> DnsServer:
    """dnsmasq with only `zone_args` (no upstream, no hosts file); ready when it answers."""
    servfail = servfail or ServfailServer()
    port = free_udp_port()
    args = [
        dnsmasq_binary(),
        "--no-daemon",
        f"--port={port}",
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        "--no-resolv",
        "--no-hosts",
        "--cache-size=10000",
        *zone_args,
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    query = dns.message.make_query("beispiel.de", "MX")
    deadline = time.monotonic() + 10
    while True:
        try:
            dns.query.udp(query, "127.0.0.1", timeout=0.5, port=port)  # any answer will do
            break
        except Exception:  # noqa: BLE001 - not up yet
            if process.poll() is not None or time.monotonic() > deadline:
                servfail.stop()
                raise RuntimeError("dnsmasq ist nicht gestartet.") from None
            time.sleep(0.05)
    return DnsServer(port, process, servfail)


def stop_dns_server(server: DnsServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server.servfail.stop()
