"""The delivery notebook's views: the address explorer."""

from __future__ import annotations

import pandas as pd
import polars as pl

from deliverability import config
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.views.funnel import address_events_table


def test_the_address_explorer_lists_every_event_of_each_troubled_address_in_time_order():
    load = PolarsEngine().load([str(p) for p in config.sample_inputs()], "Europe/Berlin")
    table = address_events_table(load.events, "2026-W47", "Europe/Berlin")
    troubled = set(
        table.loc[
            table["Ereignis"].isin(
                ["zurückgestellt", "Bounce", "vom System blockiert", "verworfen", "Beschwerde"]
            ),
            "Empfänger",
        ]
    )
    assert set(table["Empfänger"]) == troubled  # only addresses with trouble …
    events = load.events.filter(pl.col("recipient").is_in(list(troubled)))
    week = events.filter(
        pl.col("timestamp").dt.convert_time_zone("Europe/Berlin").dt.strftime("%G-W%V")
        == "2026-W47"
    )
    assert len(table) == week.height  # … with every event of the week, delivered ones too
    assert "zugestellt" in set(table["Ereignis"])
    one = table[table["Empfänger"] == table["Empfänger"].iloc[0]]
    stamps = pd.to_datetime(one["Zeitpunkt"], format="%d.%m.%Y %H:%M:%S")
    assert stamps.is_monotonic_increasing
    assert table["Nachweis (Datei:Zeile)"].str.contains(r"\.csv(?:\.gz)?:\d+$").all()
