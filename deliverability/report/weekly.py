"""The weekly report as data: key figures, attention list, reasons, new suppressions.

`build_weekly_report` does all computation; the notebook only shows the result. Texts for the
analyst are produced by `findings` and the `*_table` functions, in German.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

import pandas as pd
import polars as pl

from deliverability import config
from deliverability.export import write_bytes_atomic, write_csv
from deliverability.funnel.funnel import as_of_of, stuck_domains
from deliverability.ingest import LoadResult
from deliverability.limits.incidents import LIMIT_REASONS, incident_events, limit_incidents
from deliverability.patterns import (
    FAILED,
    PatternThresholds,
    bad_address_failure,
    detect_patterns,
    invalid_domain_failure,
    remote_trouble,
    sender_side_failure,
)
from deliverability.people_csv import write_people_csv
from deliverability.periods import (
    normalize_week,
    previous_week,
    resolve_week,
    week_end,
    week_expr,
)
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.rates import RATE_COLUMNS as RATES_READ
from deliverability.rates import weekly_rates
from deliverability.report.affected import AFFECTED_COLUMNS, affected_addresses
from deliverability.report.findings import SEVERITIES, SEVERITY_LABELS, Finding, finding
from deliverability.report.trend import (
    added_counts,
    merge_counts,
    provider_trend,
    providers_by_volume,
    trend_weeks,
    weekly_counts,
)
from deliverability.settings import ReportSettings, Settings, load_settings
from deliverability.suppression.exports import export_frame
from deliverability.suppression.policy import SuppressionPolicy
from deliverability.suppression.state import (
    build_state,
    empty_history,
    relevant_events,
    state_until,
)
from deliverability.suppression.store import StateDir
from deliverability.taxonomy import Reason, get_reason, provider_expr
from deliverability.taxonomy.labels import outcome_labels, side_labels, trigger_labels
from deliverability.text_expr import format_text
from deliverability.views import format as fmt
from deliverability.views import tables as t

SUPPRESSION_FILE = "sperrliste.csv"
REJECTS_FILE = "abgelehnte_zeilen.csv"
#: The addresses behind the findings, one row per finding and address.
AFFECTED_FILE = "betroffene_adressen.csv"
REPORT_NAME = "wochenbericht"


@dataclass(frozen=True)
class Thresholds:
    """The report's thresholds, from the settings (`deliverability.settings`)."""

    hard_bounce_warn: float
    bounce_alert: float
    complaint_warn: float
    min_sends: int
    patterns: PatternThresholds = field(default_factory=PatternThresholds)

    @classmethod
    def from_settings(cls, settings: ReportSettings) -> Thresholds:
        return cls(
            hard_bounce_warn=settings.hard_bounce_warn,
            bounce_alert=settings.bounce_alert,
            complaint_warn=settings.complaint_warn,
            min_sends=settings.min_sends_for_attention,
        )


@dataclass(frozen=True)
class WeeklyReport:
    week: str
    previous: str
    timezone: str
    thresholds: Thresholds
    #: the suppression rules the list was kept with
    policy: SuppressionPolicy
    #: the load's accounting and rejected rows; its events are not kept (the messages and
    #: tables below hold what the report shows), so that their memory is free for the rest
    load: LoadResult
    #: the moment the data ends (the latest event), for the ages of pending mail
    data_end: datetime
    #: the week's messages and the failed or complained-about ones of every week (the
    #: explorer's); the other weeks count only in the figures and the trend
    messages: pl.DataFrame
    overall: pl.DataFrame
    providers: pl.DataFrame
    domains: pl.DataFrame
    domain_patterns: pl.DataFrame
    provider_patterns: pl.DataFrame
    reasons: pl.DataFrame
    #: the suppression state: suppressed, watched (soft bouncing) and restored addresses
    suppression_state: pl.DataFrame
    daily: pl.DataFrame
    #: days of the week on which a sender went over its host's send limits (limits.incidents)
    limit_incidents: pl.DataFrame
    #: the twelve weeks up to this one per provider, with rates (`report.trend`)
    trend: pl.DataFrame

    @property
    def suppressions(self) -> pl.DataFrame:
        """The suppressed addresses of the state."""
        return self.suppression_state.filter(pl.col("status") == "suppressed")

    @property
    def title(self) -> str:
        return f"Wochenbericht Zustellbarkeit – {fmt.week_title(self.week, self.timezone)}"

    @property
    def new_suppressions(self) -> pl.DataFrame:
        return self.suppressions.filter(
            week_expr(pl.col("suppressed_at"), self.timezone) == self.week
        )

    @cached_property
    def attention(self) -> list[Finding]:
        """What needs attention this week, most severe first (worked out once)."""
        return _findings(self)

    def figure(self, column: str, *, previous: bool = False) -> float | int | None:
        """One key figure of the week (or the week before) from the overall rates."""
        if self.overall.is_empty():
            return None
        name = f"{column}_prev" if previous else column
        value: float | int | None = self.overall.get_column(name)[0]
        return value


#: The outcomes of failed mails: bounced (`patterns.FAILED`) or blocked.
FAILED_OUTCOMES = (*FAILED, "blocked")


def failed_or_complained() -> pl.Expr:
    """The messages the failed-mails explorer lists, of every week."""
    return pl.col("outcome").is_in(FAILED_OUTCOMES) | pl.col("complained")


#: The columns of the week before that the comparisons read (rates and mails per day).
COMPARED_COLUMNS = (*RATES_READ, "day")


@dataclass(frozen=True)
class MessagesRead:
    """What one pass over the message table keeps for one week (see `read_messages`)."""

    #: the week the pass was made for
    week: str
    #: the messages of the week, and the failed or complained-about ones of every week
    messages: pl.DataFrame
    #: the messages of the week before, only the columns the comparisons read
    previous: pl.DataFrame
    #: the weeks in which mails were sent, sorted
    weeks: list[str]
    #: the trend's counts per week and provider, of every week
    counts: pl.DataFrame

    def compared(self) -> pl.DataFrame:
        """The week's and the week before's messages with the columns the comparisons read."""
        return pl.concat(
            [
                self.messages.filter(pl.col("week") == self.week).select(COMPARED_COLUMNS),
                self.previous,
            ]
        )


def read_messages(parts: list[pl.LazyFrame], week: str) -> MessagesRead:
    """One pass over the message table, in parts that share no message (one part in memory
    at a time). Kept are the messages of `week` and the failed or complained-about ones of
    every week (the explorer's), and of the week before only what the comparisons read;
    counted are the weeks and the trend's figures of all messages."""
    kept, before, weeks, counts = [], [], set(), []
    previous = previous_week(week)
    for part in parts:
        messages = part.collect()
        present = messages.get_column("week").drop_nulls().unique().to_list()
        weeks.update(present)
        counts.append(weekly_counts(messages.lazy(), present))
        kept.append(messages.filter((pl.col("week") == week) | failed_or_complained()))
        before.append(messages.filter(pl.col("week") == previous).select(COMPARED_COLUMNS))
        del messages  # before the next part is collected
    return MessagesRead(
        week, pl.concat(kept), pl.concat(before), sorted(weeks), added_counts(counts)
    )


def _week_of(moment: datetime, timezone: str) -> str:
    """The week label of a moment, in local time."""
    return str(pl.select(week_expr(pl.lit(moment), timezone)).item())


def build_weekly_report(
    inputs: Sequence[str | Path],
    week: str | None = None,
    *,
    timezone: str = config.DEFAULT_TIMEZONE,
    settings: Settings | None = None,
    state_dir: str | Path | None = None,
    policy: SuppressionPolicy | None = None,
    accept_policy_change: bool = False,
) -> WeeklyReport:
    """Load the inputs and compute everything the weekly report shows.

    `settings` (default: `load_settings()`) give the thresholds, the suppression policy and
    the limit profile of each event source; `policy` replaces the settings' policy.

    With `state_dir` the suppression list is the one kept there (`deliverability suppress`):
    the week's events are added to it, and its restores and manual additions count. Rules
    other than the ones it was built with are refused unless `accept_policy_change`. For a
    week before the data's last, the list is the one as it stood at that week's end.
    """
    settings = settings or load_settings()
    thresholds = Thresholds.from_settings(settings.report)
    policy = policy or settings.policy
    store = StateDir(Path(state_dir)) if state_dir else None
    if store is not None:
        store.check_policy(policy, accept_policy_change)  # before anything changes
    paths = [str(p) for p in inputs] or [str(p) for p in config.sample_inputs()]
    engine = PolarsEngine()
    events = engine.load(paths, timezone)
    if store is not None:
        suppression_state = engine.update_suppression(store, policy, events)
    else:  # the decisions' events (a small part), decided once the week is known
        relevant = relevant_events(events.events.lazy()).collect()
    data_end = as_of_of(events.events)
    for_incidents = incident_events(events.events, settings.limit_profiles)
    # the week asked for, or the one of the latest event: nearly always the latest week in
    # which a mail was sent, else the messages are read a second time
    expected = normalize_week(week) if week else _week_of(data_end, timezone)
    with tempfile.TemporaryDirectory(prefix="deliverability-") as folder:
        parts = events.message_parts(Path(folder))
        read = read_messages(parts, expected)
        week = resolve_week(read.weeks, week)
        if week != expected:
            read = read_messages(parts, week)
    weeks, counts = read.weeks, read.counts
    previous = previous_week(week)
    load = events.loaded
    past = week != weeks[-1]  # a past week: its list as it stood at the week's end
    until = week_end(week, timezone)
    if store is None:
        decided, no_history = relevant.lazy(), empty_history()
        suppression_state = (
            state_until(decided, no_history, policy, until)
            if past
            else build_state(decided, no_history, policy)
        )
    elif past:
        suppression_state = store.state_until(policy, until)
    if store is not None:
        counts = store.update_weekly_counts(
            lambda stored: counts if stored is None else merge_counts(stored, counts)
        )
    compared = read.compared()
    lazy = compared.lazy()
    current_failures = read.messages.filter(
        (pl.col("week") == week) & pl.col("outcome").is_in(FAILED_OUTCOMES)
    )
    reasons = (
        current_failures.group_by("reason")
        .agg(
            messages=pl.len(),
            hard=(pl.col("outcome") == "hard").sum(),
            soft=(pl.col("outcome") == "soft").sum(),
            blocked=(pl.col("outcome") == "blocked").sum(),
            example=pl.col("diagnostic").drop_nulls().mode().sort().first(),
            example_ref=pl.col("failure_ref").first(),
        )
        .sort("messages", "reason", descending=[True, False])
    )
    daily = (  # the report week and the week before, for comparison
        compared.group_by("day")
        .agg(
            sent=pl.col("sent").sum(),
            delivered=(pl.col("outcome") == "delivered").sum(),
            hard=(pl.col("outcome") == "hard").sum(),
            soft=(pl.col("outcome") == "soft").sum(),
            blocked=(pl.col("outcome") == "blocked").sum(),
        )
        .sort("day")
    )
    return WeeklyReport(
        week=week,
        previous=previous,
        timezone=timezone,
        thresholds=thresholds,
        policy=policy,
        load=load,
        data_end=data_end,
        messages=read.messages,
        overall=weekly_rates(lazy, None, week, previous).collect(),
        providers=weekly_rates(lazy, "provider", week, previous).collect(),
        domains=weekly_rates(lazy, "recipient_domain", week, previous).collect(),
        domain_patterns=detect_patterns(
            read.messages.lazy(), "recipient_domain", week, thresholds.patterns
        ).collect(),
        provider_patterns=detect_patterns(
            read.messages.lazy(), "provider", week, thresholds.patterns
        ).collect(),
        reasons=reasons,
        suppression_state=suppression_state,
        daily=daily,
        limit_incidents=limit_incidents(
            for_incidents,
            week,
            timezone,
            settings.limit_profiles,
        ),
        trend=provider_trend(counts, week),
    )


#: The columns of the message table the delivery section reads (funnel, pending mail, stuck
#: domains, opens per provider); the others stay behind when the week is taken out.
DELIVERY_COLUMNS = (
    "message_key", "recipient", "sender", "recipient_domain", "provider", "source", "week",
    "first_ts", "sent", "outcome", "deferrals", "complained", "opened", "clicked",
)  # fmt: skip


def week_messages(report: WeeklyReport) -> pl.DataFrame:
    """The report week's messages with the columns of the delivery section (a copy of those
    columns only: the whole table's week would cost a quarter of the table again)."""
    return report.messages.select(DELIVERY_COLUMNS).filter(pl.col("week") == report.week)


def pending_domains(report: WeeklyReport) -> pl.DataFrame:
    """The report week's domains with mail still without a result, most such mail first, and
    whether many addresses are stuck at once (`funnel.stuck_domains`)."""
    week = report.messages.select("week", "recipient_domain", "outcome").filter(
        pl.col("week") == report.week
    )
    return stuck_domains(week)


#: The report lists this many domains with mail without a result; the workbook has all.
PENDING_SHOWN = 15


def trend_table(report: WeeklyReport, column: str = "bounce_rate") -> pd.DataFrame:
    """One row per provider (most mail first), one column per week of the trend: the rate
    `column` in percent; "–" where a week has no mail."""
    weeks = trend_weeks(report.week)
    order = pl.DataFrame({"provider": providers_by_volume(report.trend)})
    wide = order.join(
        report.trend.pivot(on="week", index="provider", values=column),
        on="provider",
        how="left",
        maintain_order="left",
    )
    data: dict[str, list[str]] = {"Anbieter": wide.get_column("provider").to_list()}
    for week in weeks:
        values = wide.get_column(week).to_list() if week in wide.columns else [None] * wide.height
        data[f"KW {week[-2:]}"] = [fmt.percent(v) for v in values]
    return pd.DataFrame(data)


# -- outputs ---------------------------------------------------------------------------------


def write_outputs(
    report: WeeklyReport, out_dir: str | Path, workbook_tables: str | Path | None = None
) -> dict[str, Path]:
    """Write the suppression CSV, the rejected lines, the findings' addresses and the workbook
    into `out_dir/<week>/`; with `workbook_tables` the workbook's tables are left in that
    folder instead, for the scheduled report to write the workbook beside the notebook."""
    from deliverability.report.workbook import WORKBOOK_FILE, hand_over_sheets, write_workbook

    folder = Path(out_dir) / report.week
    generic = export_frame(report.suppression_state, "generic")
    suppression = write_csv(generic, folder / SUPPRESSION_FILE)
    rejects = write_people_csv(report.load.rejects, folder / REJECTS_FILE, timezone=report.timezone)
    affected = write_people_csv(
        affected_table(report), folder / AFFECTED_FILE, timezone=report.timezone, table="affected"
    )
    workbook = folder / WORKBOOK_FILE
    if workbook_tables:
        hand_over_sheets(report, Path(workbook_tables), workbook)
    else:
        write_workbook(report, workbook)
    return {
        "sperrliste": suppression,
        "abgelehnt": rejects,
        "betroffen": affected,
        "arbeitsmappe": workbook,
    }


def affected_table(report: WeeklyReport) -> pl.DataFrame:
    """The addresses behind every finding: the finding and its severity in words, then one
    row per address with its outcome and reason in words."""
    frames = [
        item.affected.select(
            pl.lit(SEVERITY_LABELS[item.severity]).alias("severity"),
            pl.lit(item.title).alias("finding"),
            pl.all(),
        )
        for item in findings(report)
        if item.affected is not None
    ]
    if not frames:
        return pl.DataFrame(
            schema={"severity": pl.String, "finding": pl.String}
            | dict.fromkeys(AFFECTED_COLUMNS, pl.String)
        )
    table = pl.concat(frames, how="vertical_relaxed")
    return table.with_columns(
        pl.col("outcome").replace_strict(outcome_labels(), default=pl.col("outcome")),
        pl.col("reason").map_elements(reason_label, return_dtype=pl.String),
    )


def reason_label(reason: str) -> str:
    """A reason's German name (a `map_elements` over a column of reason ids; nulls stay)."""
    return get_reason(reason).label


def write_manifest(report: WeeklyReport, written: dict[str, Path], path: str | Path) -> Path:
    """What the run produced, for the scheduled job that started it (`report.runner`)."""
    manifest = {
        "week": report.week,
        "folder": str(written["sperrliste"].parent),
        "suppressed": report.suppressions.height,
        "rejected": report.load.rejects.height,
    }
    target = Path(path)
    write_bytes_atomic(json.dumps(manifest).encode("utf-8"), target)
    return target


# -- German tables -----------------------------------------------------------------------------

KEY_FIGURES = (
    ("sent", "Versendet", "count"),
    ("delivered", "Zugestellt", "count"),
    ("delivery_rate", "Zustellrate", "share"),
    ("hard_rate", "Bounce-Rate hart", "share"),
    ("soft_rate", "Bounce-Rate weich", "share"),
    ("complaint_rate", "Beschwerderate", "share"),
)


def key_figures_table(report: WeeklyReport) -> pd.DataFrame:
    """Key figures of the week against the week before."""
    rows = []
    for column, label, kind in KEY_FIGURES:
        now = report.figure(column)
        before = report.figure(column, previous=True)
        if kind == "count":
            change = (
                fmt.number((now or 0) - (before or 0), sign=True) if before is not None else "–"
            )
            rows.append((label, fmt.number(now), fmt.number(before), change))
        else:
            decimals = 2 if column == "complaint_rate" else 1
            change = (
                fmt.points(now - before, decimals)
                if now is not None and before is not None
                else "–"
            )
            rows.append(
                (
                    label,
                    fmt.percent(now, 2 if kind == "share" and column == "complaint_rate" else 1),
                    fmt.percent(before, 2 if column == "complaint_rate" else 1),
                    change,
                )
            )
    return pd.DataFrame(
        rows,
        columns=["Kennzahl", f"KW {report.week[-2:]}", f"KW {report.previous[-2:]}", "Veränderung"],
    )


RATE_COLUMNS: tuple[t.Column, ...] = (
    ("sent", "Versendet", t.integer),
    ("delivered", "Zugestellt", t.integer),
    ("hard", "Hardbounces", t.integer),
    ("soft", "Softbounces", t.integer),
    ("bounce_rate", "Bounce-Rate", t.share),
    ("bounce_low", "95-%-Intervall von", t.share),
    ("bounce_high", "bis", t.share),
    ("bounce_rate_change", "Veränderung zur Vorwoche", t.share_change),
    ("complaints", "Beschwerden", t.integer),
)


def provider_table(report: WeeklyReport) -> pd.DataFrame:
    """All providers of the week, ranked by the lower Wilson bound of the bounce rate."""
    return t.german_table(report.providers, (("provider", "Anbieter", t.text), *RATE_COLUMNS))


#: Domains over the warning threshold the scheduled report lists (the notebook: all).
DOMAINS_SHOWN = 15


def attention_domains(
    report: WeeklyReport, limit: int | None = DOMAINS_SHOWN, threshold: float | None = None
) -> pl.DataFrame:
    """Domains whose bounce rate is credibly above the warning threshold (Wilson lower bound);
    `threshold` replaces the one of the settings (the notebook's slider)."""
    warn = report.thresholds.hard_bounce_warn if threshold is None else threshold
    over = report.domains.filter((pl.col("bounce_low") >= warn) & (pl.col("sent") >= 1))
    return over if limit is None else over.head(limit)


def domain_table(
    report: WeeklyReport, limit: int | None = DOMAINS_SHOWN, threshold: float | None = None
) -> pd.DataFrame:
    frame = attention_domains(report, limit, threshold).with_columns(provider=provider_expr())
    return t.german_table(
        frame,
        (("recipient_domain", "Domain", t.text), ("provider", "Anbieter", t.text), *RATE_COLUMNS),
    )


def reasons_labelled(report: WeeklyReport) -> pl.DataFrame:
    """The week's reasons with their German name (`label`) and where the fault lies (`side`)."""
    sides = side_labels()
    return report.reasons.with_columns(
        label=pl.col("reason").map_elements(reason_label, return_dtype=pl.String),
        side=pl.col("reason").map_elements(
            lambda r: sides[get_reason(r).side], return_dtype=pl.String
        ),
    )


def reasons_table(report: WeeklyReport) -> pd.DataFrame:
    return t.german_table(
        reasons_labelled(report),
        (
            ("label", "Grund", t.text),
            ("side", "Ursache liegt bei", t.text),
            ("messages", "Mails", t.integer),
            ("hard", "davon hart", t.integer),
            ("soft", "davon weich", t.integer),
            ("blocked", "vom System blockiert", t.integer),
            ("example_ref", "Beispiel (Datei:Zeile)", t.text),
        ),
    )


def suppression_reason_label(reason: str | None) -> str:
    if reason == "unsubscribed":
        return "Abmeldung"
    if reason == "manual":
        return "manuell"
    return get_reason(reason).label


#: How many new suppressions the report lists; all of them are in the suppression CSV.
NEW_SUPPRESSIONS_SHOWN = 100


def new_suppressions_table(
    report: WeeklyReport, limit: int | None = NEW_SUPPRESSIONS_SHOWN
) -> pd.DataFrame:
    """The week's new suppressions, the latest first (at most `limit`; None: all)."""
    latest = report.new_suppressions.sort("suppressed_at", "email", descending=[True, False])
    frame = (latest if limit is None else latest.head(limit)).with_columns(
        when=pl.col("suppressed_at").map_elements(
            lambda v: fmt.timestamp(v, report.timezone), return_dtype=pl.String
        ),
        trigger_label=pl.col("trigger").replace_strict(trigger_labels(), default=None),
        reason_label=pl.col("reason").map_elements(
            suppression_reason_label, return_dtype=pl.String
        ),
    )
    return t.german_table(
        frame,
        (
            ("email", "Adresse", t.text),
            ("when", "Gesperrt am", t.text),
            ("trigger_label", "Auslöser", t.text),
            ("reason_label", "Grund", t.text),
            ("refs", "Nachweis (Datei:Zeile)", t.text),
        ),
    )


def failed_mails_table(report: WeeklyReport) -> pd.DataFrame:
    """Every failed or complained-about mail of all weeks in the data, the latest first, with
    week, provider, domain, sender, recipient and the server's reply in full (the notebook's
    explorer narrows it by selection lists)."""
    failed = report.messages.filter(failed_or_complained()).sort(
        "first_ts", "recipient", descending=[True, False], nulls_last=True
    )
    reasons = failed.get_column("reason").drop_nulls().unique().to_list()
    labels = {reason: reason_label(reason) for reason in reasons}
    local = pl.col("first_ts").dt.convert_time_zone(report.timezone)
    frame = failed.with_columns(
        week_label=format_text(
            "KW {}/{}", pl.col("week").str.slice(6, 2), pl.col("week").str.slice(0, 4)
        ),
        when=local.dt.strftime("%d.%m.%Y %H:%M"),
        outcome_label=pl.when(pl.col("outcome").is_in(FAILED_OUTCOMES))
        .then(pl.col("outcome").replace_strict(outcome_labels(), default=pl.col("outcome")))
        .otherwise(pl.lit("Beschwerde")),
        reason_label=pl.col("reason").replace_strict(labels, default=None),
    )
    return t.german_table(
        frame,
        (
            ("week_label", "Woche", t.text),
            ("when", "Versendet am", t.text),
            ("provider", "Anbieter", t.text),
            ("recipient_domain", "Domain", t.text),
            ("sender", "Absender", t.text),
            ("recipient", "Empfänger", t.text),
            ("outcome_label", "Ergebnis", t.text),
            ("reason_label", "Grund", t.text),
            ("diagnostic", "Serverantwort", t.text),
        ),
    )


def limit_incidents_table(report: WeeklyReport) -> pd.DataFrame:
    """Days of the week on which a sender went over its host's limits."""
    return t.german_table(
        report.limit_incidents,
        [
            ("day", "Tag", fmt.day),
            ("sender", "Absender", t.text),
            ("profile", "Limitprofil", t.text),
            ("requested", "angefordert", t.integer),
            ("rejected", "laut Profil abgelehnt", t.integer),
            ("blocked", "laut Profil gesperrt", t.integer),
            ("delayed", "laut Profil verzögert", t.integer),
            ("observed", "vom System als Limitfehler gemeldet", t.integer),
            ("rules", "Regel", t.text),
        ],
    )


def load_table(report: WeeklyReport) -> pd.DataFrame:
    return t.german_table(
        report.load.stats_frame().with_columns(
            name=pl.col("path").map_elements(lambda p: Path(p).name, return_dtype=pl.String)
        ),
        (
            ("name", "Datei", t.text),
            ("encoding", "Kodierung", t.text),
            ("read", "Zeilen gelesen", t.integer),
            ("loaded", "geladen", t.integer),
            ("rejected", "abgelehnt", t.integer),
            ("skipped_blank", "Leerzeilen", t.integer),
        ),
    )


def rejects_table(report: WeeklyReport) -> pd.DataFrame:
    frame = report.load.rejects.with_columns(
        name=pl.col("file").map_elements(lambda p: Path(p).name, return_dtype=pl.String)
    )
    return t.german_table(
        frame,
        (
            ("name", "Datei", t.text),
            ("line", "Zeile", t.integer),
            ("field", "Feld", t.text),
            ("reason", "Grund", t.text),
        ),
    )


# -- German findings ---------------------------------------------------------------------------


def findings(report: WeeklyReport) -> list[Finding]:
    """What needs attention this week, most severe first."""
    return report.attention


def _findings(report: WeeklyReport) -> list[Finding]:
    items = [
        *_rate_findings(report),
        *_pattern_findings(report),
        *_limit_findings(report),
        *_address_findings(report),
    ]
    return sorted(items, key=lambda f: SEVERITIES.index(f.severity))


def _reason_fields(reason: Reason) -> dict[str, str]:
    """The taxonomy's words for a reason, as fields of a finding's texts."""
    return {
        "reason": reason.label,
        "reason_meaning": reason.meaning,
        "reason_action": reason.action,
    }


def _rate_findings(report: WeeklyReport) -> list[Finding]:
    """Bounce, hard-bounce and complaint rates over their thresholds."""
    items: list[Finding] = []
    th = report.thresholds
    hard_rate = report.figure("hard_rate")
    bounce_rate = report.figure("bounce_rate")
    complaint_rate = report.figure("complaint_rate")
    if bounce_rate is not None and bounce_rate >= th.bounce_alert:
        rate, threshold = fmt.percent(bounce_rate), fmt.percent(th.bounce_alert, 0)
        bounced = _affected(report, pl.col("outcome").is_in(FAILED))
        items.append(finding("bounce_alert", None, bounced, rate=rate, threshold=threshold))
    if hard_rate is not None and hard_rate >= th.hard_bounce_warn:
        rate, threshold = fmt.percent(hard_rate), fmt.percent(th.hard_bounce_warn, 0)
        hard = _affected(report, pl.col("outcome") == "hard")
        items.append(finding("hard_bounce_warn", None, hard, rate=rate, threshold=threshold))
    if complaint_rate is not None and complaint_rate >= th.complaint_warn:
        rate, threshold = fmt.percent(complaint_rate, 2), fmt.percent(th.complaint_warn, 1)
        complained = _affected(report, pl.col("complained"))
        items.append(finding("complaint_warn", None, complained, rate=rate, threshold=threshold))
    return items


def _affected(report: WeeklyReport, predicate: pl.Expr) -> pl.DataFrame:
    """The addresses of the report week's mails that match `predicate`."""
    return affected_addresses(report.messages, report.week, predicate)


def _pattern_findings(report: WeeklyReport) -> list[Finding]:
    """Receiving servers out of order, providers refusing the sender."""
    items: list[Finding] = []
    down = report.domain_patterns.filter(pl.col("pattern") == "server_down")
    for row in down.iter_rows(named=True):
        affected = _affected(
            report,
            (pl.col("recipient_domain") == row["recipient_domain"])
            & pl.col("day").is_in(pl.Series(row["days"] or [], dtype=pl.Date).implode())
            & remote_trouble(),
        )
        items.append(
            finding(
                "server_down",
                None,
                affected,
                escalation=_escalation(report, affected),
                domain=row["recipient_domain"],
                days=fmt.enumeration([fmt.day(d) for d in row["days"] or []]),
                affected=fmt.number(row["affected"]),
                messages=fmt.number(row["messages"]),
                share=fmt.percent(row["share"]),
            )
        )
    blocked = report.provider_patterns.filter(pl.col("pattern") == "sender_blocked")
    for row in blocked.iter_rows(named=True):
        reason = get_reason(_top_reason(report, "provider", row["provider"]))
        refused = _affected(report, (pl.col("provider") == row["provider"]) & sender_side_failure())
        items.append(
            finding(
                "sender_blocked",
                "alarm" if row["share"] >= 0.5 else "warnung",
                refused,
                provider=row["provider"],
                affected=fmt.number(row["affected"]),
                messages=fmt.number(row["messages"]),
                share=fmt.percent(row["share"]),
                **_reason_fields(reason),
            )
        )
    return items


def _limit_findings(report: WeeklyReport) -> list[Finding]:
    """Senders over their host's send limits, and mail the sending system blocked."""
    items: list[Finding] = []
    limit_blocks = (
        report.messages.filter((pl.col("week") == report.week) & (pl.col("outcome") == "blocked"))
        .group_by("sender", "day", "reason")
        .agg(messages=pl.len())
        .sort("day", "sender")
    )
    incidents = {(r["sender"], r["day"]) for r in report.limit_incidents.iter_rows(named=True)}
    for row in report.limit_incidents.iter_rows(named=True):
        failed = row["rejected"] + row["blocked"]
        on_that_day = (pl.col("sender") == row["sender"]) & (pl.col("day") == row["day"])
        items.append(
            finding(
                "limit_exceeded",
                None,
                _affected(report, on_that_day & pl.col("outcome").is_in([*FAILED, "blocked"])),
                observed=_observed(row["observed"], failed),
                sender=row["sender"],
                day=fmt.day(row["day"]),
                requested=fmt.number(row["requested"]),
                profile=row["profile"],
                failed=fmt.number(failed),
                delayed=fmt.number(row["delayed"]),
                rules=row["rules"],
            )
        )
    for row in limit_blocks.iter_rows(named=True):
        if row["reason"] in LIMIT_REASONS and (row["sender"], row["day"]) in incidents:
            continue  # told above, with the replay of the host's limits
        reason = get_reason(row["reason"])
        held = (
            (pl.col("sender") == row["sender"])
            & (pl.col("day") == row["day"])
            & (pl.col("outcome") == "blocked")
            & (pl.col("reason") == row["reason"])
        )
        items.append(
            finding(
                "platform_blocked",
                None,
                _affected(report, held),
                sender=row["sender"],
                messages=fmt.number(row["messages"]),
                day=fmt.day(row["day"]),
                **_reason_fields(reason),
            )
        )
    return items


def _address_findings(report: WeeklyReport) -> list[Finding]:
    """Domains that do not exist, single addresses that do not."""
    items: list[Finding] = []
    invalid = report.domain_patterns.filter(pl.col("pattern") == "domain_invalid")
    if invalid.height:
        domains = invalid.get_column("recipient_domain")
        affected = _affected(
            report, pl.col("recipient_domain").is_in(domains.implode()) & invalid_domain_failure()
        )
        names = ", ".join(domains.to_list())
        items.append(finding("domain_invalid", None, affected, domains=names))
    bad = report.domain_patterns.filter(pl.col("pattern") == "bad_addresses")
    if bad.height:
        domains = bad.get_column("recipient_domain")
        affected = _affected(
            report, pl.col("recipient_domain").is_in(domains.implode()) & bad_address_failure()
        )
        addresses = fmt.number(int(bad.get_column("affected").sum()))
        items.append(
            finding(
                "bad_addresses", None, affected, domains=fmt.number(bad.height), addresses=addresses
            )
        )
    return items


def _observed(observed: int | None, replayed: int) -> str:
    """What the sending system itself reported, and why it may differ from the replay."""
    if not observed:
        return ""
    text = f"; das System selbst meldete {fmt.number(observed)} Limitfehler"
    if observed != replayed:
        text += (
            f" (Unterschied: {fmt.number(abs(observed - replayed))}). Das Nachspielen kennt "
            "nur die Mails in diesen Daten und das veröffentlichte Limit; der Versanddienst zählt "
            "auch Mails aus anderen Programmen desselben Kontos und beginnt sein Zeitfenster "
            "womöglich zu einem anderen Zeitpunkt"
        )
    return text


def _escalation(report: WeeklyReport, affected: pl.DataFrame) -> str:
    """When the suppression rules will block addresses a server outage made bounce softly."""
    limit = report.policy.consecutive_soft
    state = report.suppression_state.filter(
        pl.col("address").is_in(affected.get_column("recipient").implode())
    )
    escalated = state.filter(
        (pl.col("status") == "suppressed") & (pl.col("trigger") == "escalated")
    )
    watched = state.filter(pl.col("status") == "watch")
    near = watched.filter(pl.col("soft_bounces") >= limit - 1).height
    parts = []
    if escalated.height:
        parts.append(
            f"{fmt.number(escalated.height)} dieser Adressen sind bereits gesperrt, weil sie "
            f"{limit} Softbounces in Folge hatten (Sperrregel); sie nach Ende der Störung mit "
            "Begründung wieder freigeben (Notebook „sperrliste“)."
        )
    if watched.height:
        parts.append(
            f"{fmt.number(watched.height)} stehen unter Beobachtung und werden gesperrt, sobald "
            f"sie {limit} Softbounces in Folge ohne Zustellung haben"
            + (f" – bei {fmt.number(near)} fehlt nur noch einer" if near else "")
            + ". Deshalb erst wieder an diese Domain senden, wenn ihr Server erreichbar ist."
        )
    if not parts:
        parts.append(
            f"Die Sperrregel ({limit} Softbounces in Folge) hat noch keine dieser Adressen erreicht."
        )
    return " ".join(parts)


def _top_reason(report: WeeklyReport, by: str, value: str) -> str | None:
    frame = report.messages.filter(
        (pl.col("week") == report.week)
        & (pl.col(by) == value)
        & pl.col("reason_side").is_in(["sender", "content"])
    )
    if frame.is_empty():
        return None
    return str(frame.get_column("reason").mode().sort()[0])


def reason_explanations(report: WeeklyReport) -> list[tuple[str, int, str, str, str]]:
    """(label, messages, what, meaning, action) per reason of the week's failures; where
    some of its mails bounced the other way than the reason usually does, the meaning says
    why."""
    result = []
    for row in report.reasons.iter_rows(named=True):
        reason = get_reason(row["reason"])
        meaning = f"{reason.meaning} {_other_way(reason, row)}".strip()
        result.append((reason.label, row["messages"], reason.what, meaning, reason.action))
    return result


def _other_way(reason: Reason, row: dict[str, object]) -> str:
    """A sentence on the mails of a usually soft reason that counted as hard, and back."""
    messages, hard, soft = (int(str(row[k])) for k in ("messages", "hard", "soft"))
    if reason.nature == "soft" and hard:
        return (
            f"{fmt.number(hard)} der {fmt.number(messages)} Mails zählen trotzdem als "
            "Hardbounce: Der Empfangsserver oder das Versandsystem meldete sie als endgültig "
            "gescheitert (Antwortcode 5xx, z. B. weil das Postfach stillgelegt ist); diese "
            "Adressen werden gesperrt."
        )
    if reason.nature == "hard" and soft:
        return (
            f"{fmt.number(soft)} der {fmt.number(messages)} Mails zählen als Softbounce: Der "
            "Empfangsserver lehnte sie nur vorläufig ab (Antwortcode 4xx); gesperrt wird erst "
            "nach einer endgültigen Ablehnung oder nach Softbounces in Folge."
        )
    return ""
