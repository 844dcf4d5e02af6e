"""A DNS client on one UDP socket: many queries in flight, matched by their message id.

dnspython's own asyncio query opens a socket for every query, which costs more than the
lookup itself against a local resolver. Messages are still built and parsed by dnspython;
a truncated answer is repeated over TCP.
"""

from __future__ import annotations

import asyncio
import random

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rdatatype


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.pending: dict[int, asyncio.Future[bytes]] = {}

    def datagram_received(self, data: bytes, addr: object) -> None:
        if len(data) < 2:
            return
        future = self.pending.pop(int.from_bytes(data[:2], "big"), None)
        if future is not None and not future.done():
            future.set_result(data)

    def error_received(self, exc: Exception) -> None:  # e.g. ICMP port unreachable
        for future in self.pending.values():
            if not future.done():
                future.set_exception(exc)
        self.pending.clear()


class UdpDnsClient:
    """Send queries to one nameserver over a shared UDP socket."""

    def __init__(self, host: str, port: int = 53, timeout: float = 3.0, retries: int = 1) -> None:
        self.host, self.port, self.timeout, self.retries = host, port, timeout, retries
        self._transport: asyncio.DatagramTransport | None = None
        self._protocol = _Protocol()

    async def __aenter__(self) -> UdpDnsClient:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self._protocol, remote_addr=(self.host, self.port)
        )
        self._transport = transport
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._transport is not None:
            self._transport.close()

    def _new_id(self) -> int:
        while True:
            candidate = random.randrange(1, 65536)
            if candidate not in self._protocol.pending:
                return candidate

    async def query(self, name: str, rdtype: str) -> dns.message.Message:
        """The answer to one question; raises dns.exception.Timeout after the retries."""
        assert self._transport is not None, "use `async with UdpDnsClient(...)`"
        loop = asyncio.get_running_loop()
        for _ in range(self.retries + 1):
            message = dns.message.make_query(name, dns.rdatatype.from_text(rdtype))
            message.id = self._new_id()
            future: asyncio.Future[bytes] = loop.create_future()
            self._protocol.pending[message.id] = future
            self._transport.sendto(message.to_wire())
            try:
                wire = await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                self._protocol.pending.pop(message.id, None)
                continue
            response = dns.message.from_wire(wire)
            if response.flags & dns.flags.TC:
                return await dns.asyncquery.tcp(message, self.host, self.timeout, self.port)
            return response
        raise dns.exception.Timeout(timeout=self.timeout)
