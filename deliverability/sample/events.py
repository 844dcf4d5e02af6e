"""Deterministic generator for the sample data and the benchmark data sets.

Models four weeks (ISO weeks 2026-W44 to 2026-W47) of a German B2B sender, "Technik-Handel
Beispiel GmbH": a weekly newsletter through an ESP and individual sales mails of five users
through a CRM. The story in the data:

- realistic recipient domains (GMX, WEB.DE, T-Online, Gmail, Outlook, company domains …);
- typo domains (gmial.com, gmx.dee …) and unknown users → hard bounces;
- the mail server of nordwerk-logistik.de is down for two days in W47: deferrals, then
  soft bounces when the ESP gives up after 24 hours, deliveries once it is back;
- mailboxes fill up: soft bounces, and after five in a row the provider answers with a
  permanent error (hard bounce);
- T-Online refuses the newsletter of W46 (bad reputation of the ESP's IP), Gmail rejects
  part of the W45 newsletter as spam;
- one sales user exceeds the CRM's daily send limit (300 per day) on 19.11.2026;
- complaints and unsubscribes; opens and clicks.

The world of the story (domains, names, every server reply, the incidents) is data, in
`scenario.toml`; this module holds the timeline and the mechanics. The week W47 is written as a
German Excel export (`;`, cp1252, German dates, local time),
with a few defective lines as real exports have; the other weeks as UTF-8 CSV with ISO 8601
timestamps. The same seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 10, 26, tzinfo=BERLIN)  # Monday of 2026-W44
WEEKS = 4
EXPORT_CUTOFF = datetime(2026, 11, 23, 6, 0, tzinfo=BERLIN)
SENDER_DOMAIN = "technik-handel.de"
NEWSLETTER_SENDER = f"newsletter@{SENDER_DOMAIN}"
SALES_USERS = ("m.becker", "s.wagner", "j.weber", "l.hoffmann", "k.schulz")
CRM_DAILY_LIMIT = 300
ESP_IP = "192.0.2.55"

OUTAGE_DOMAIN = "nordwerk-logistik.de"
OUTAGE_START = datetime(2026, 11, 17, 7, 0, tzinfo=BERLIN)
OUTAGE_END = datetime(2026, 11, 19, 7, 0, tzinfo=BERLIN)
ESP_RETRY_LIFETIME = timedelta(hours=24)
ESP_RETRY_DELAYS = (10, 30, 60, 120, 240, 480, 480, 480)  # minutes between attempts

LIMIT_DAY = datetime(2026, 11, 19, tzinfo=BERLIN).date()
LIMIT_USER = "j.weber"


def _scenario() -> dict[str, Any]:
    with Path(__file__).with_name("scenario.toml").open("rb") as handle:
        return tomllib.load(handle)


SCENARIO = _scenario()
CONSUMER_DOMAINS: dict[str, int] = SCENARIO["domains"]["consumer"]
COMPANY_DOMAINS: tuple[str, ...] = tuple(SCENARIO["domains"]["company"])
TYPO_DOMAINS: tuple[str, ...] = tuple(SCENARIO["domains"]["typo"])
FUNCTION_ADDRESSES: tuple[str, ...] = tuple(SCENARIO["domains"]["functions"])
FIRST_NAMES: tuple[str, ...] = tuple(SCENARIO["names"]["first"])
LAST_NAMES: tuple[str, ...] = tuple(SCENARIO["names"]["last"])

COLUMNS = (
    "timestamp",
    "message_id",
    "sender",
    "recipient",
    "event",
    "bounce_type",
    "reason",
    "smtp_code",
    "status",
    "diagnostic",
    "source",
)


@dataclass(frozen=True)
class Reply:
    """What a server (or the ESP, or the CRM) answered: an event and its fields."""

    event: str
    bounce_type: str = ""
    smtp_code: str = ""
    status: str = ""
    diagnostic: str = ""


REPLIES: dict[str, Reply] = {name: Reply(**fields) for name, fields in SCENARIO["replies"].items()}


@dataclass(frozen=True)
class Incident:
    """A story incident: which mails get `reply` instead of being accepted."""

    reply: str
    newsletter: bool
    share: float
    week: int | None = None
    domains: tuple[str, ...] = ()

    def concerns(self, send: Send) -> bool:
        return (
            send.newsletter == self.newsletter
            and (self.week is None or send.week == self.week)
            and (not self.domains or send.contact.domain in self.domains)
        )


INCIDENTS = tuple(
    Incident(**{**entry, "domains": tuple(entry.get("domains", ()))})
    for entry in SCENARIO["incidents"]
)


@dataclass
class Contact:
    address: str
    domain: str
    unknown_user: bool = False
    full_from: datetime | None = None
    newsletter: bool = True
    engagement: float = 0.3
    sales_weight: float = 1.0
    soft_in_a_row: int = 0
    suppressed_at_esp: bool = False
    unsubscribed: bool = False


@dataclass(frozen=True)
class Send:
    """One mail to one contact: who sends it through which system, in which week."""

    message_id: str
    sender: str
    contact: Contact
    source: str
    newsletter: bool
    week: int


@dataclass(order=True)
class Event:
    timestamp: datetime
    order: int
    message_id: str
    sender: str = field(compare=False)
    recipient: str = field(compare=False)
    event: str = field(compare=False)
    bounce_type: str = field(compare=False, default="")
    smtp_code: str = field(compare=False, default="")
    status: str = field(compare=False, default="")
    diagnostic: str = field(compare=False, default="")
    source: str = field(compare=False, default="")


_EVENT_ORDER = {
    name: i
    for i, name in enumerate(
        (
            "sent",
            "deferred",
            "delivered",
            "bounced",
            "blocked",
            "dropped",
            "opened",
            "clicked",
            "complained",
            "unsubscribed",
        )
    )
}


class _Simulation:
    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.events: list[Event] = []
        self.counter = 0
        self.contacts = self._make_contacts(int(7000 * scale))

    # -- contacts ---------------------------------------------------------------------------
    def _domain(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.025:
            return OUTAGE_DOMAIN
        if roll < 0.029:
            return rng.choice(TYPO_DOMAINS)
        if roll < 0.58:
            return rng.choices(list(CONSUMER_DOMAINS), list(CONSUMER_DOMAINS.values()))[0]
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(COMPANY_DOMAINS))]
        return rng.choices(COMPANY_DOMAINS, weights)[0]

    def _local_part(self, domain: str) -> str:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        style = rng.random()
        if style < 0.5:
            local = f"{first}.{last}"
        elif style < 0.7:
            local = f"{first[0]}.{last}"
        elif style < 0.85:
            local = f"{first}{last}{rng.randint(1, 99)}"
        else:
            local = f"{last}.{first}"
        if domain in COMPANY_DOMAINS and rng.random() < 0.15:
            local = rng.choice(FUNCTION_ADDRESSES)
        return local

    def _make_contacts(self, count: int) -> list[Contact]:
        rng = self.rng
        contacts: list[Contact] = []
        seen: set[str] = set()
        while len(contacts) < count:
            domain = self._domain()
            address = f"{self._local_part(domain)}@{domain}"
            if rng.random() < 0.08:
                address = address.capitalize()
            if address.lower() in seen:
                continue
            seen.add(address.lower())
            contact = Contact(address=address, domain=domain)
            contact.unknown_user = rng.random() < 0.015
            contact.newsletter = rng.random() < 0.86
            contact.engagement = rng.betavariate(2, 5)
            contact.sales_weight = rng.expovariate(1.0) + (0.3 if domain in COMPANY_DOMAINS else 0)
            if rng.random() < 0.007:
                contact.full_from = START + timedelta(days=rng.uniform(0, 10))
                contact.sales_weight = 8.0
            contacts.append(contact)
        # addresses as real CRMs hold them: one with a double @, one international (IDN)
        contacts[11].address = "Tom@@" + contacts[11].domain
        contacts[12].address, contacts[12].domain = (
            "jürgen.lindner@bücher-lindner.de",
            "bücher-lindner.de",
        )
        return contacts

    # -- helpers ----------------------------------------------------------------------------
    def _message_id(self, when: datetime) -> str:
        self.counter += 1
        return f"<{when:%Y%m%d}.{self.counter:07d}@{SENDER_DOMAIN}>"

    def _emit(self, when: datetime, send: Send, event: str, **fields: str) -> None:
        if when >= EXPORT_CUTOFF:
            return
        order = _EVENT_ORDER[event]
        address = send.contact.address
        self.events.append(
            Event(when, order, send.message_id, send.sender, address, event, **fields)
        )

    def _reply(self, when: datetime, send: Send, name: str) -> None:
        """Emit the reply `name` of `scenario.toml`, its placeholders filled in."""
        reply = REPLIES[name]
        values = {
            "address": send.contact.address,
            "domain": send.contact.domain,
            "ip": ESP_IP,
            "outage_domain": OUTAGE_DOMAIN,
            "crm_limit": CRM_DAILY_LIMIT,
        }
        self._emit(
            when,
            send,
            reply.event,
            bounce_type=reply.bounce_type,
            smtp_code=reply.smtp_code,
            status=reply.status,
            diagnostic=reply.diagnostic.format(**values),
            source=send.source,
        )

    def _hard(self, when: datetime, send: Send, name: str) -> None:
        """A hard bounce: the ESP suppresses the address for later newsletters."""
        self._reply(when, send, name)
        if send.newsletter:
            send.contact.suppressed_at_esp = True

    def _delay(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=round(self.rng.uniform(low, high)))

    # -- one delivery attempt chain ---------------------------------------------------------
    def _deliver(self, when: datetime, send: Send) -> None:
        contact = send.contact
        if send.newsletter and contact.suppressed_at_esp:
            self._reply(when, send, "suppressed_at_esp")
            return
        self._emit(when, send, "sent", source=send.source)
        done = when + self._delay(1, 40)
        if "@@" in contact.address:
            self._hard(done, send, "bad_syntax")
        elif contact.domain in TYPO_DOMAINS:
            self._hard(done, send, "no_such_domain")
        elif contact.domain == OUTAGE_DOMAIN and OUTAGE_START <= when < OUTAGE_END:
            self._outage(when, send)
        elif contact.unknown_user:
            self._hard(done, send, SCENARIO["unknown_user"].get(contact.domain, "unknown_user"))
        elif contact.full_from and when >= contact.full_from:
            self._mailbox_full(done, send)
        else:
            incident = next((i for i in INCIDENTS if self._hits(i, send)), None)
            if incident is not None:
                self._reply(done, send, incident.reply)
                return
            contact.soft_in_a_row = 0
            self._accepted(done, send)

    def _hits(self, incident: Incident, send: Send) -> bool:
        """Whether `incident` befalls this mail (its share drawn only where it applies)."""
        if not incident.concerns(send):
            return False
        return incident.share >= 1 or self.rng.random() < incident.share

    def _mailbox_full(self, done: datetime, send: Send) -> None:
        """A full mailbox: soft bounces, hard once it stays full for too long."""
        contact = send.contact
        rules = SCENARIO["mailbox_full"]
        if contact.soft_in_a_row >= rules["permanent_after"]:
            self._hard(done, send, "mailbox_full_inactive")
        else:
            contact.soft_in_a_row += 1
            self._reply(done, send, rules["replies"].get(contact.domain, "mailbox_full"))

    def _outage(self, when: datetime, send: Send) -> None:
        """The recipient's server is down: retries until it is back or the ESP gives up."""
        attempt = when
        lifetime = ESP_RETRY_LIFETIME if send.source == "mailjet" else timedelta(days=5)
        for minutes in ESP_RETRY_DELAYS + (480,) * 20:
            self._reply(attempt + self._delay(5, 30), send, "outage_timeout")
            attempt = attempt + timedelta(minutes=minutes)
            if attempt - when >= lifetime:
                self._reply(when + lifetime, send, "outage_expired")
                send.contact.soft_in_a_row += 1
                return
            if attempt >= OUTAGE_END:
                self._accepted(attempt + self._delay(1, 20), replace(send, newsletter=False))
                return

    def _accepted(self, when: datetime, send: Send) -> None:
        """The receiving server accepts the mail (250 OK); opens, clicks and the rest follow."""
        self._reply(when, send, "accepted")
        self._engage(when, send)

    def _engage(self, when: datetime, send: Send) -> None:
        rng = self.rng
        contact = send.contact
        chance = contact.engagement * (1.0 if send.newsletter else 1.6)
        if rng.random() < chance:
            opened = when + timedelta(minutes=rng.expovariate(1 / 240))
            self._emit(opened, send, "opened", source=send.source)
            if rng.random() < 0.15:
                self._emit(opened + self._delay(5, 300), send, "clicked", source=send.source)
        if send.newsletter and rng.random() < 0.0009:
            self._reply(when + timedelta(hours=rng.uniform(1, 40)), send, "complaint")
            contact.suppressed_at_esp = True
        elif send.newsletter and not contact.unsubscribed and rng.random() < 0.003:
            later = when + timedelta(hours=rng.uniform(0.5, 30))
            self._emit(later, send, "unsubscribed", source=send.source)
            contact.unsubscribed = True
            contact.newsletter = False

    # -- campaigns ----------------------------------------------------------------------------
    def run(self) -> list[Event]:
        for week in range(WEEKS):
            monday = START + timedelta(weeks=week)
            for day in range(7):
                date = monday + timedelta(days=day)
                if day == 1:
                    self._newsletter(date.replace(hour=10), week)
                if day < 5:
                    self._sales_day(date, week)
        self.events.sort()
        return self.events

    def _newsletter(self, start: datetime, week: int) -> None:
        recipients = [c for c in self.contacts if c.newsletter]
        for index, contact in enumerate(recipients):
            when = start + timedelta(seconds=index * 0.05 + self.rng.uniform(0, 2))
            when = when.replace(microsecond=0)
            message_id = self._message_id(when)
            send = Send(message_id, NEWSLETTER_SENDER, contact, "mailjet", True, week)
            self._deliver(when, send)

    def _sales_day(self, date: datetime, week: int) -> None:
        rng = self.rng
        weights = [c.sales_weight for c in self.contacts]
        for user in SALES_USERS:
            sender = f"{user}@{SENDER_DOMAIN}"
            count = int(rng.randint(35, 75) * self.scale)
            times = sorted(
                date.replace(hour=8) + timedelta(seconds=rng.uniform(0, 10 * 3600))
                for _ in range(count)
            )
            targets = rng.choices(self.contacts, weights, k=count)
            planned = list(zip(times, targets, strict=True))
            if user == LIMIT_USER and date.date() == LIMIT_DAY:
                bulk_start = date.replace(hour=9, minute=30)
                bulk = rng.sample(self.contacts, int(420 * self.scale))
                planned += [(bulk_start + timedelta(seconds=i), c) for i, c in enumerate(bulk)]
                planned.sort(key=lambda item: item[0])
            for sent_today, (when, contact) in enumerate(planned, start=1):
                when = when.replace(microsecond=0)
                send = Send(self._message_id(when), sender, contact, "zendesk_sell", False, week)
                if sent_today > CRM_DAILY_LIMIT * self.scale:
                    self._reply(when, send, "crm_limit")
                else:
                    self._deliver(when, send)


def generate_events(seed: int = 20261123, scale: float = 1.0) -> list[Event]:
    """All events of the scenario, sorted by time. `scale` multiplies contacts and volume."""
    return _Simulation(seed, scale).run()


def _rows(events: list[Event], german: bool) -> Iterator[list[str]]:
    for e in events:
        local = e.timestamp.astimezone(BERLIN)
        stamp = f"{local:%d.%m.%Y %H:%M:%S}" if german else local.isoformat()
        yield [
            stamp,
            e.message_id,
            e.sender,
            e.recipient,
            e.event,
            e.bounce_type,
            "",
            e.smtp_code,
            e.status,
            e.diagnostic,
            e.source,
        ]


#: Lines as they come out of real exports: broken date, empty address, German event name
#: (loaded through the vocabulary), an unquoted delimiter inside the server text.
DEFECTIVE_LINES = (
    "32.11.2026 25:61:00;<20261120.9999991@technik-handel.de>;j.weber@technik-handel.de;"
    "p.lorenz@textil-lorenz.de;delivered;;;250;2.0.0;250 2.0.0 OK;zendesk_sell",
    "20.11.2026 11:02:13;<20261120.9999992@technik-handel.de>;j.weber@technik-handel.de;"
    ";bounced;hard;;550;5.1.1;550 5.1.1 User unknown;zendesk_sell",
    "20.11.2026 11:04:40;<20261120.9999993@technik-handel.de>;l.hoffmann@technik-handel.de;"
    "k.braun@elektro-fischer.de;zugestellt;;;250;2.0.0;250 2.0.0 OK;zendesk_sell",
    "20.11.2026 11:07:02;<20261120.9999994@technik-handel.de>;l.hoffmann@technik-handel.de;"
    "a.roth@brauerei-roth.de;bounced;soft;;452;4.2.2;452 4.2.2 Mailbox full; try again later;"
    "zendesk_sell",
)


def _csv_text(rows: Iterator[list[str]], delimiter: str, extra_lines: tuple[str, ...] = ()) -> str:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=delimiter, lineterminator="\r\n" if delimiter == ";" else "\n"
    )
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row)
    text = buffer.getvalue()
    for line in extra_lines:
        text += line + "\r\n"
    return text


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(data)
    return buffer.getvalue()


def write_sample(directory: Path, seed: int = 20261123, scale: float = 1.0) -> list[Path]:
    """Write one gzip-compressed CSV per ISO week into `directory`; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    events = generate_events(seed, scale)
    by_week: dict[str, list[Event]] = {}
    for event in events:
        iso = event.timestamp.astimezone(BERLIN).isocalendar()
        by_week.setdefault(f"{iso.year}-W{iso.week:02d}", []).append(event)
    written = []
    last_week = max(by_week)
    for week, week_events in sorted(by_week.items()):
        path = directory / f"events-{week}.csv.gz"
        if week == last_week:
            text = _csv_text(_rows(week_events, german=True), ";", DEFECTIVE_LINES)
            data = text.encode("cp1252")
        else:
            data = _csv_text(_rows(week_events, german=False), ",").encode("utf-8")
        path.write_bytes(_gzip(data))
        written.append(path)
    return written
