"""German display tables and a chart for the delivery funnel notebook and report section."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import polars as pl
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from deliverability.funnel.funnel import age_text
from deliverability.periods import week_expr
from deliverability.taxonomy.labels import event_labels
from deliverability.views import format as fmt
from deliverability.views.palette import COLORS
from deliverability.views.tables import german_table, integer, share, text


def funnel_table(table: pl.DataFrame, label_column: str, label: str) -> pd.DataFrame:
    frame = table.with_columns(
        quote=pl.when(pl.col("sent") > 0).then(pl.col("delivered") / pl.col("sent"))
    )
    return german_table(
        frame,
        [
            (label_column, label, text),
            ("requested", "angefordert", integer),
            ("sent", "versendet", integer),
            ("delivered", "zugestellt", integer),
            ("bounced", "Bounces", integer),
            ("dropped_blocked", "blockiert/verworfen", integer),
            ("pending", "ohne Ergebnis", integer),
            ("complained", "Beschwerden", integer),
            ("quote", "Zustellrate", share),
        ],
    )


def pending_table(ages: pl.DataFrame, timezone: str, limit: int = 30) -> pd.DataFrame:
    frame = ages.head(limit).with_columns(
        since=pl.col("age_hours").map_elements(age_text, return_dtype=pl.String),
        gives_up=pl.col("gives_up_at").map_elements(
            lambda t: fmt.timestamp(t, timezone), return_dtype=pl.String
        ),
    )
    return german_table(
        frame,
        [
            ("recipient", "Adresse", text),
            ("recipient_domain", "Domain", text),
            ("since", "Stand", text),
            ("deferrals", "Zurückstellungen", integer),
            ("gives_up", "Plattform gibt auf am", text),
        ],
    )


PATTERNS = {
    "domain_stuck": "viele Adressen zugleich: Server gestört oder drosselt",
    "single": "einzelne Adressen: Postfach voll oder nicht erreichbar",
}


def stuck_table(stuck: pl.DataFrame) -> pd.DataFrame:
    return german_table(
        stuck,
        [
            ("week", "Woche", text),
            ("recipient_domain", "Domain", text),
            ("messages", "Mails", integer),
            ("pending", "ohne Ergebnis", integer),
            ("share", "Anteil", share),
            ("pattern", "Muster", lambda p: PATTERNS.get(str(p), str(p))),
        ],
    )


def engagement_table(frame: pl.DataFrame) -> pd.DataFrame:
    return german_table(
        frame,
        [
            ("sender", "Absender", text),
            ("provider", "Anbieter", text),
            ("delivered", "zugestellt", integer),
            ("seen", "geöffnet/geklickt", integer),
            ("share", "Anteil", share),
            ("sender_share", "Schnitt des Absenders", share),
            (
                "flag",
                "Hinweis",
                lambda f: "vermutlich Spamordner oder Quarantäne" if f else "",
            ),
        ],
    )


def bulk_table(findings: pl.DataFrame) -> pd.DataFrame:
    return german_table(
        findings,
        [
            ("sender_domain", "Versanddomain", text),
            ("provider", "Anbieter", text),
            ("max_daily", "höchstens Mails am Tag", integer),
            ("max_spam_rate", "höchste Beschwerderate", lambda v: fmt.percent(v, 2)),
            ("finding", "Bewertung", text),
        ],
    )


def rates_table(rates: pl.DataFrame, label_column: str, label: str) -> pd.DataFrame:
    """Bounce rates per group with the Wilson 95 % bounds (from `rates.rates`)."""
    return german_table(
        rates.sort("sent", descending=True),
        [
            (label_column, label, text),
            ("sent", "versendet", integer),
            ("bounce_rate", "Bounce-Rate", share),
            ("bounce_low", "95 %-Intervall von", share),
            ("bounce_high", "bis", share),
            ("hard_rate", "davon hart", share),
        ],
    )


def deferral_summary(timing: pl.DataFrame) -> str:
    """German: how long deferred mail took until it was delivered or bounced."""
    if timing.is_empty():
        return "Keine Mail wurde erst zurückgestellt und dann zugestellt oder abgewiesen."
    delivered = timing.filter(pl.col("final_event") == "delivered")
    median = timing.get_column("hours").median()
    longest = timing.get_column("hours").max()
    return (
        f"{fmt.number(timing.height)} Mails wurden erst zurückgestellt; "
        f"{fmt.number(delivered.height)} davon kamen später doch an. Vom ersten Zurückstellen "
        f"bis zum Ergebnis vergingen im Median {fmt.number(float(median or 0), 1)} Stunden, "  # type: ignore[arg-type]
        f"höchstens {fmt.number(float(longest or 0), 1)} Stunden."  # type: ignore[arg-type]
    )


def sender_table(records: list[dict[str, object]]) -> pd.DataFrame:
    status = {
        "ok": "in Ordnung",
        "missing": "fehlt",
        "multiple": "doppelt",
        "permerror": "fehlerhaft",
        "too_permissive": "zu offen",
        "unknown": "unklar (DNS)",
    }
    rows = []
    for r in records:
        dkim = r["dkim"]
        mx = r["mx"]
        rows.append(
            {
                "Domain": r["domain"],
                "SPF": status.get(str(r["spf_status"]), str(r["spf_status"])),
                "DNS-Abfragen (SPF)": fmt.number(int(r["spf_lookups"] or 0)),  # type: ignore[call-overload]
                "DMARC": r["dmarc_policy"] or "fehlt",
                "DKIM": ", ".join(dkim) if isinstance(dkim, list) and dkim else "–",
                "MX": ", ".join(mx) if isinstance(mx, list) and mx else "–",
                "Absender passt": _yes_no(r["aligned"]),
                "Befunde": r["findings"],
            }
        )
    return pd.DataFrame(rows)


def _yes_no(value: object) -> str:
    return "ja" if value is True else "nein" if value is False else "–"


def funnel_chart(weekly: pl.DataFrame) -> Figure:
    """Stacked bars per week: delivered, bounced, blocked/dropped, without outcome."""
    figure = Figure(figsize=(10, 4))
    axis = figure.subplots()
    weeks = weekly.get_column("week").to_list()
    bottom = [0] * len(weeks)
    for column, label, color in (
        ("delivered", "zugestellt", COLORS["current"]),
        ("bounced", "Bounces", COLORS["hard"]),
        ("dropped_blocked", "blockiert/verworfen", COLORS["blocked"]),
        ("pending", "ohne Ergebnis", COLORS["soft"]),
    ):
        values = weekly.get_column(column).to_list()
        axis.bar(weeks, values, bottom=bottom, color=color, label=label)
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: fmt.number(value)))
    axis.set_ylabel("Mails")
    axis.set_title("Was aus den Mails wurde, je Woche")
    axis.legend(loc="upper left", fontsize="small")
    figure.tight_layout()
    return figure


def now_text(as_of: datetime, timezone: str) -> str:
    return f"Stand der Daten: {fmt.timestamp(as_of, timezone)}"


#: The events that make an address worth a look in the notebook's address explorer.
TROUBLE_EVENTS = ("deferred", "bounced", "blocked", "dropped", "complained")


def address_events_table(events: pl.DataFrame, week: str, timezone: str) -> pd.DataFrame:
    """Every event of the week of each address that had a deferral, bounce, block, drop or
    complaint in it, per address in time order, with the server's reply in full and the line
    it came from (the notebook's explorer: domain → address → events)."""
    in_week = events.filter(week_expr(pl.col("timestamp"), timezone) == week)
    troubled = in_week.filter(pl.col("event").cast(pl.String).is_in(TROUBLE_EVENTS)).select(
        "recipient"
    )
    frame = (
        in_week.join(troubled.unique(), on="recipient", how="semi")
        .sort("recipient_domain", "recipient", "timestamp", "source_ref")
        .with_columns(
            when=pl.col("timestamp")
            .dt.convert_time_zone(timezone)
            .dt.strftime("%d.%m.%Y %H:%M:%S"),
            event_label=pl.col("event").cast(pl.String).replace_strict(event_labels()),
            code=pl.concat_str(
                [pl.col("smtp_code").cast(pl.String), pl.col("status")],
                separator=" ",
                ignore_nulls=True,
            ),
        )
    )
    return german_table(
        frame,
        (
            ("recipient_domain", "Domain", text),
            ("recipient", "Empfänger", text),
            ("when", "Zeitpunkt", text),
            ("event_label", "Ereignis", text),
            ("code", "Code", text),
            ("diagnostic", "Serverantwort", text),
            ("source_ref", "Nachweis (Datei:Zeile)", text),
        ),
    )
