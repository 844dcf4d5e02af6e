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

The week W47 is written as a German Excel export (`;`, cp1252, German dates, local time),
with a few defective lines as real exports have; the other weeks as UTF-8 CSV with ISO 8601
timestamps. The same seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
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

CONSUMER_DOMAINS = {
    "gmx.de": 14,
    "web.de": 12,
    "t-online.de": 10,
    "gmail.com": 10,
    "googlemail.com": 2,
    "gmx.net": 3,
    "outlook.de": 4,
    "hotmail.com": 3,
    "yahoo.de": 2,
    "icloud.com": 2,
    "freenet.de": 3,
    "posteo.de": 1,
    "online.de": 1,
    "arcor.de": 1,
}
COMPANY_DOMAINS = (
    "mueller-maschinenbau.de",
    "stadtwerke-lindenau.de",
    "kanzlei-schmidt-partner.de",
    "baeckerei-krause.de",
    "autohaus-neumann.de",
    "elektro-fischer.de",
    "hansen-bau.de",
    "praxis-dr-wolf.de",
    "sanitaer-braun.de",
    "ingenieurbuero-vogel.de",
    "holzbau-koch.de",
    "druckerei-richter.de",
    "it-service-klein.de",
    "spedition-schaefer.de",
    "metallbau-lange.de",
    "gartenbau-zimmermann.de",
    "steuerberatung-hartmann.de",
    "hotel-am-see-beispiel.de",
    "werkzeug-krueger.de",
    "landtechnik-meyer.de",
    "bücher-lindner.de",
    "optik-schwarz.de",
    "kfz-werkstatt-peters.de",
    "dachdecker-jung.de",
    "versicherung-hahn.de",
    "moebel-schubert.de",
    "apotheke-am-markt-beispiel.de",
    "brauerei-roth.de",
    "textil-lorenz.de",
    "pumpen-frank.de",
    "kunststoff-berger.de",
    "labor-kaiser.de",
    "energie-sued-beispiel.de",
    "verpackung-huber.de",
    "logistik-ost-beispiel.de",
    "maler-koenig.de",
    "schreinerei-weiss.de",
    "cnc-technik-haas.de",
    "gemeinde-beispielstadt.de",
    "uni-beispiel.de",
)
TYPO_DOMAINS = ("gmial.com", "gmx.dee", "t-onlne.de", "outlok.de", "hotmial.com", "web.dee")
FIRST_NAMES = (
    "anna",
    "thomas",
    "julia",
    "michael",
    "sabine",
    "stefan",
    "katrin",
    "andreas",
    "petra",
    "markus",
    "claudia",
    "frank",
    "nicole",
    "jürgen",
    "monika",
    "tobias",
    "sandra",
    "jan",
    "lena",
    "uwe",
    "birgit",
    "daniel",
    "heike",
    "christian",
    "eva",
    "sören",
    "maria",
    "paul",
)
LAST_NAMES = (
    "mueller",
    "schmidt",
    "schneider",
    "fischer",
    "weber",
    "meyer",
    "wagner",
    "becker",
    "schulz",
    "hoffmann",
    "koch",
    "richter",
    "klein",
    "wolf",
    "schroeder",
    "neumann",
    "schwarz",
    "braun",
    "zimmermann",
    "krueger",
    "hartmann",
    "lange",
    "werner",
    "krause",
    "lehmann",
    "köhler",
    "maier",
    "herrmann",
    "walter",
    "koenig",
)

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
    def _make_contacts(self, count: int) -> list[Contact]:
        rng = self.rng
        consumer = list(CONSUMER_DOMAINS)
        consumer_weights = list(CONSUMER_DOMAINS.values())
        company_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(COMPANY_DOMAINS))]
        contacts: list[Contact] = []
        seen: set[str] = set()
        while len(contacts) < count:
            roll = rng.random()
            if roll < 0.025:
                domain = OUTAGE_DOMAIN
            elif roll < 0.029:
                domain = rng.choice(TYPO_DOMAINS)
            elif roll < 0.58:
                domain = rng.choices(consumer, consumer_weights)[0]
            else:
                domain = rng.choices(COMPANY_DOMAINS, company_weights)[0]
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
                local = rng.choice(("info", "vertrieb", "einkauf", "buchhaltung", "kontakt"))
            address = f"{local}@{domain}"
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

    def _emit(
        self,
        when: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        event: str,
        source: str,
        **fields: str,
    ) -> None:
        if when >= EXPORT_CUTOFF:
            return
        self.events.append(
            Event(
                when,
                _EVENT_ORDER[event],
                message_id,
                sender,
                contact.address,
                event,
                source=source,
                **fields,
            )
        )

    def _delay(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=round(self.rng.uniform(low, high)))

    # -- one delivery attempt chain ---------------------------------------------------------
    def _deliver(
        self,
        when: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        source: str,
        *,
        newsletter: bool,
        week: int,
    ) -> None:
        rng = self.rng
        emit = self._emit
        if newsletter and contact.suppressed_at_esp:
            emit(
                when,
                message_id,
                sender,
                contact,
                "dropped",
                source,
                diagnostic="Adresse steht auf der Sperrliste (früherer Hardbounce)",
            )
            return
        emit(when, message_id, sender, contact, "sent", source)
        done = when + self._delay(1, 40)
        domain = contact.domain
        if self._invalid_address(done, message_id, sender, contact, source, newsletter):
            return
        if domain == OUTAGE_DOMAIN and OUTAGE_START <= when < OUTAGE_END:
            self._outage(when, message_id, sender, contact, source)
            return
        if self._unknown_user(done, message_id, sender, contact, source, newsletter):
            return
        if self._mailbox_full(when, done, message_id, sender, contact, source, newsletter):
            return
        if newsletter and week == 2 and domain == "t-online.de":
            emit(
                done,
                message_id,
                sender,
                contact,
                "bounced",
                source,
                bounce_type="hard",
                smtp_code="554",
                diagnostic=f"554 IP={ESP_IP} - None/bad reputation. Ask your postmaster for help "
                "or to contact tobr@rx.t-online.de for reset. (NOWL)",
            )
            return
        if (
            newsletter
            and week == 1
            and domain in ("gmail.com", "googlemail.com")
            and rng.random() < 0.12
        ):
            emit(
                done,
                message_id,
                sender,
                contact,
                "bounced",
                source,
                bounce_type="hard",
                smtp_code="550",
                status="5.7.1",
                diagnostic=f"550-5.7.1 [{ESP_IP}] Our system has detected that this message is "
                "likely unsolicited mail. To reduce the amount of spam sent to Gmail, "
                "this message has been blocked.",
            )
            return
        if not newsletter and rng.random() < 0.004:
            emit(
                done,
                message_id,
                sender,
                contact,
                "bounced",
                source,
                bounce_type="soft",
                smtp_code="552",
                status="5.3.4",
                diagnostic="552 5.3.4 Message size exceeds fixed limit",
            )
            return
        contact.soft_in_a_row = 0
        self._accepted(done, message_id, sender, contact, source, newsletter=newsletter)

    def _invalid_address(
        self,
        done: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        source: str,
        newsletter: bool,
    ) -> bool:
        """Broken syntax or a domain that does not exist: a hard bounce every time."""
        emit = self._emit
        domain = contact.domain
        if "@@" in contact.address:
            emit(
                done,
                message_id,
                sender,
                contact,
                "bounced",
                source,
                bounce_type="hard",
                smtp_code="501",
                status="5.1.3",
                diagnostic="501 5.1.3 Bad recipient address syntax",
            )
            self._hard(contact, newsletter)
            return True
        if domain in TYPO_DOMAINS:
            emit(
                done,
                message_id,
                sender,
                contact,
                "bounced",
                source,
                bounce_type="hard",
                status="5.4.4",
                diagnostic=f"Host or domain name not found. Name service error for "
                f"name={domain} type=MX: Host not found",
            )
            self._hard(contact, newsletter)
            return True
        return False

    def _unknown_user(
        self,
        done: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        source: str,
        newsletter: bool,
    ) -> bool:
        """A mailbox that does not exist, in each provider's own words."""
        emit = self._emit
        domain = contact.domain
        if contact.unknown_user:
            text = {
                "gmail.com": "550-5.1.1 The email account that you tried to reach does not exist. "
                "Please try double-checking the recipient's email address for typos.",
                "googlemail.com": "550-5.1.1 The email account that you tried to reach does not "
                "exist.",
                "gmx.de": "550 Requested action not taken: mailbox unavailable",
                "web.de": "550 Requested action not taken: mailbox unavailable",
                "t-online.de": f"550 5.1.1 <{contact.address}>: Recipient address rejected: "
                "User unknown",
            }.get(
                domain,
                f"550 5.1.1 <{contact.address}>: Recipient address rejected: User "
                "unknown in virtual mailbox table",
            )
            emit(
                done,
                message_id,
                sender,
                contact,
                "bounced",
                source,
                bounce_type="hard",
                smtp_code="550",
                diagnostic=text,
            )
            self._hard(contact, newsletter)
            return True
        return False

    def _mailbox_full(
        self,
        when: datetime,
        done: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        source: str,
        newsletter: bool,
    ) -> bool:
        """A full mailbox: soft bounces, hard once it stays full for too long."""
        emit = self._emit
        domain = contact.domain
        if contact.full_from and when >= contact.full_from:
            if contact.soft_in_a_row >= 5:
                emit(
                    done,
                    message_id,
                    sender,
                    contact,
                    "bounced",
                    source,
                    bounce_type="hard",
                    smtp_code="552",
                    status="5.2.2",
                    diagnostic="552 5.2.2 Mailbox full - quota exceeded for too long, "
                    "account inactive",
                )
                self._hard(contact, newsletter)
            else:
                contact.soft_in_a_row += 1
                emit(
                    done,
                    message_id,
                    sender,
                    contact,
                    "bounced",
                    source,
                    bounce_type="soft",
                    smtp_code="452",
                    status="4.2.2",
                    diagnostic="452 4.2.2 The email account that you tried to reach is over quota"
                    if domain.startswith("g")
                    else "452 4.2.2 Mailbox full",
                )
            return True
        return False

    def _outage(
        self, when: datetime, message_id: str, sender: str, contact: Contact, source: str
    ) -> None:
        attempt = when
        lifetime = ESP_RETRY_LIFETIME if source == "mailjet" else timedelta(days=5)
        for minutes in ESP_RETRY_DELAYS + (480,) * 20:
            self._emit(
                attempt + self._delay(5, 30),
                message_id,
                sender,
                contact,
                "deferred",
                source,
                smtp_code="",
                status="4.4.1",
                diagnostic=f"connect to mx01.{OUTAGE_DOMAIN}[198.51.100.20]:25: "
                "Connection timed out",
            )
            attempt = attempt + timedelta(minutes=minutes)
            if attempt - when >= lifetime:
                self._emit(
                    when + lifetime,
                    message_id,
                    sender,
                    contact,
                    "bounced",
                    source,
                    bounce_type="soft",
                    status="4.4.7",
                    diagnostic="4.4.7 Delivery time expired: connect to "
                    f"mx01.{OUTAGE_DOMAIN}[198.51.100.20]:25: Connection timed out",
                )
                contact.soft_in_a_row += 1
                return
            if attempt >= OUTAGE_END:
                done = attempt + self._delay(1, 20)
                self._accepted(done, message_id, sender, contact, source, newsletter=False)
                return

    def _hard(self, contact: Contact, newsletter: bool) -> None:
        if newsletter:
            contact.suppressed_at_esp = True

    def _accepted(
        self,
        when: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        source: str,
        *,
        newsletter: bool,
    ) -> None:
        """The receiving server accepts the mail (250 OK); opens, clicks and the rest follow."""
        self._emit(
            when,
            message_id,
            sender,
            contact,
            "delivered",
            source,
            smtp_code="250",
            status="2.0.0",
            diagnostic="250 2.0.0 OK",
        )
        self._engage(when, message_id, sender, contact, source, newsletter=newsletter)

    def _engage(
        self,
        when: datetime,
        message_id: str,
        sender: str,
        contact: Contact,
        source: str,
        *,
        newsletter: bool,
    ) -> None:
        rng = self.rng
        chance = contact.engagement * (1.0 if newsletter else 1.6)
        if rng.random() < chance:
            opened = when + timedelta(minutes=rng.expovariate(1 / 240))
            self._emit(opened, message_id, sender, contact, "opened", source)
            if rng.random() < 0.15:
                self._emit(
                    opened + self._delay(5, 300), message_id, sender, contact, "clicked", source
                )
        if newsletter and rng.random() < 0.0009:
            self._emit(
                when + timedelta(hours=rng.uniform(1, 40)),
                message_id,
                sender,
                contact,
                "complained",
                source,
                diagnostic="Spam-Meldung über Feedback-Loop (abuse)",
            )
            contact.suppressed_at_esp = True
        elif newsletter and not contact.unsubscribed and rng.random() < 0.003:
            self._emit(
                when + timedelta(hours=rng.uniform(0.5, 30)),
                message_id,
                sender,
                contact,
                "unsubscribed",
                source,
            )
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
            self._deliver(
                when,
                self._message_id(when),
                NEWSLETTER_SENDER,
                contact,
                "mailjet",
                newsletter=True,
                week=week,
            )

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
                message_id = self._message_id(when)
                if sent_today > CRM_DAILY_LIMIT * self.scale:
                    self._emit(
                        when,
                        message_id,
                        sender,
                        contact,
                        "blocked",
                        "zendesk_sell",
                        diagnostic="Fehler 002: Sendelimit überschritten "
                        f"({CRM_DAILY_LIMIT} E-Mails pro Tag)",
                    )
                    continue
                self._deliver(
                    when, message_id, sender, contact, "zendesk_sell", newsletter=False, week=week
                )


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


#: Lines as they come out of real exports: broken date, empty address, German event name,
#: an unquoted delimiter inside the server text.
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
