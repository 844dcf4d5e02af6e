"""`deliverability replay` and `deliverability profiles` (German console output)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deliverability.export import write_csv
from deliverability.limits.profile import load_profile, preset_names
from deliverability.limits.replay import RESULT_COLUMNS, ReplayResult, replay
from deliverability.limits.sends import load_sends, parse_start
from deliverability.limits.summary import by_day, duration, plan_text
from deliverability.report import format as fmt
from deliverability.spark.session import check_engine


def result_csv(result: ReplayResult) -> pl.DataFrame:
    """The per-send output: times in the profile's time zone, ISO 8601 with offset."""
    zone = result.profile.timezone
    return result.sends.select(RESULT_COLUMNS).with_columns(
        pl.col("requested_at", "sent_at")
        .dt.convert_time_zone(zone)
        .dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
    )


def _print_summary(result: ReplayResult, days: pl.DataFrame) -> None:
    counts = {o: result.count(o) for o in ("sent", "delayed", "rejected", "blocked")}
    total = result.sends.height
    print(
        f"{fmt.number(total)} Sendungen mit „{result.profile.name}“: "
        f"{fmt.number(counts['sent'])} pünktlich, {fmt.number(counts['delayed'])} verzögert, "
        f"{fmt.number(counts['rejected'])} abgelehnt, {fmt.number(counts['blocked'])} gesperrt."
    )
    troubled = days.filter(pl.col("delayed") + pl.col("rejected") + pl.col("blocked") > 0)
    for row in troubled.head(14).iter_rows(named=True):
        delay = row["max_delay_s"]
        longest = f", längste Verzögerung {duration(delay)}" if delay else ""
        print(
            f"  {fmt.day(row['day'])}: {fmt.number(row['requested'])} angefordert, "
            f"{fmt.number(row['delayed'])} verzögert, {fmt.number(row['rejected'])} abgelehnt, "
            f"{fmt.number(row['blocked'])} gesperrt{longest} – {row['rules']}"
        )
    if troubled.height > 14:
        print(f"  … und {fmt.number(troubled.height - 14)} weitere Tage.")


def write_replay(result: ReplayResult, target: Path) -> None:
    """Write the per-send CSV and `NAME_tage.csv`, and print the summary."""
    write_csv(result_csv(result), target)
    days = by_day(result)
    day_file = target.with_name(f"{target.stem}_tage.csv")
    write_csv(days, day_file)
    _print_summary(result, days)
    print(f"Je Sendung: {target}\nJe Tag: {day_file}")


def run_replay(
    inputs: list[str],
    profile_name: str,
    mode: str,
    start_text: str | None,
    out: str,
    sender: str | None = None,
    source: str | None = None,
    engine: str = "polars",
    spark_master: str | None = None,
) -> int:
    profile = load_profile(profile_name)
    start = parse_start(start_text, profile.timezone)
    need_time = mode == "replay"
    if check_engine(engine) == "spark":
        from deliverability.spark import replay as on_spark
        from deliverability.spark.session import spark_session

        spark_sends, rejects = on_spark.load_spark_sends(
            spark_session(spark_master),
            inputs,
            profile.timezone,
            need_time=need_time,
            sender=sender,
            source=source,
        )
        result = on_spark.replay_on_spark(spark_sends, profile, mode=mode, start=start)
    else:
        sends = load_sends(
            [Path(p) for p in inputs],
            profile.timezone,
            need_time=need_time,
            sender=sender,
            source=source,
        )
        result, rejects = replay(sends.frame, profile, mode=mode, start=start), sends.rejects
    target = Path(out)
    write_replay(result, target)
    if mode == "plan":
        print(plan_text(result, start))
    if rejects.height:
        rejects_file = target.with_name(f"{target.stem}_abgelehnte_zeilen.csv")
        write_csv(rejects, rejects_file)
        print(
            f"{fmt.number(rejects.height)} Eingabezeilen nicht verwendbar, mit Grund in: "
            f"{rejects_file}"
        )
    return 0


def run_profiles(name: str | None = None) -> int:
    """List presets with their rules and sources (one profile in full with NAME)."""
    names = [name] if name else preset_names()
    for key in names:
        profile = load_profile(key)
        print(f"{key}: {profile.name}")
        if profile.description:
            print(f"    {profile.description}")
        for rule in profile.rules:
            marker = " [Annahme]" if rule.assumption else ""
            print(f"  - {rule.label} → {rule.action_text}{marker}")
            if name:
                if rule.note:
                    print(f"      {rule.note}")
                print(f"      Quelle: {rule.source} (geprüft {rule.checked})")
    if not name:
        print("\nDetails und Quellen: deliverability profiles NAME")
    return 0
