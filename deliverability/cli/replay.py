"""`deliverability replay`: Sendungen gegen Versandlimits nachspielen oder planen."""

from __future__ import annotations

import argparse
from pathlib import Path

from deliverability.cli.options import csv_option, engine_options, xlsx_option


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "replay",
        help="Sendungen gegen die Versandlimits eines Hosts nachspielen oder einen Versand planen",
        description="Sagt für jede Sendung, was der Host mit dem Limitprofil getan hätte "
        "(sent, delayed, rejected, blocked), oder plant mit --mode plan den frühesten Versand, "
        "der keine Regel verletzt. Eingabe: Ereignisexporte (Spalte event) oder eine CSV mit "
        "requested_at,message_id,recipient[,recipients]. Schreibt AUSGABE.csv je Sendung und "
        "AUSGABE_tage.csv je Tag.",
    )
    parser.add_argument("sends", nargs="+", metavar="SENDUNGEN", help="CSV-Dateien (auch .gz)")
    parser.add_argument(
        "--profile",
        required=True,
        metavar="NAME|DATEI",
        help="Vorlage (siehe deliverability profiles) oder eigene TOML-Datei",
    )
    parser.add_argument(
        "--mode",
        choices=["replay", "plan"],
        default="replay",
        help="replay: nachspielen (Standard); plan: frühesten Versand planen",
    )
    parser.add_argument(
        "--start", metavar="ZEIT", help="frühester Versand, z. B. 2026-11-24T08:00 (für plan)"
    )
    parser.add_argument("--sender", metavar="ADRESSE", help="nur die Sendungen dieses Absenders")
    parser.add_argument(
        "--source", metavar="QUELLE", help="nur Ereignisse dieser Quelle, z. B. zendesk_sell"
    )
    parser.add_argument("--out", required=True, metavar="DATEI.csv", help="Ausgabedatei")
    csv_option(parser)
    xlsx_option(parser, "gleicher Name wie --out, Endung .xlsx: je Sendung und je Tag")
    engine_options(parser)
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from deliverability.cli.outputs import (
        replay_sheets,
        write_rejects,
        write_replay,
        write_workbook,
    )
    from deliverability.export import check_output
    from deliverability.limits.profile import load_profile
    from deliverability.limits.sends import parse_start
    from deliverability.pipeline.engines import SendsQuery, engine_named
    from deliverability.views.limits import plan_text

    check_output(Path(args.out))
    profile = load_profile(args.profile)
    start = parse_start(args.start, profile.timezone)
    engine = engine_named(args.engine, args.spark_master)
    query = SendsQuery(args.sends, args.mode, start, args.sender, args.source)
    result, rejects = engine.replay_sends(query, profile)
    target = Path(args.out)
    write_replay(result, target, args.csv)
    if args.xlsx:
        write_workbook(replay_sheets(result), target.with_suffix(".xlsx"))
    if args.mode == "plan":
        print(plan_text(result, start))
    write_rejects(
        rejects,
        target.with_name(f"{target.stem}_abgelehnte_zeilen.csv"),
        args.csv,
        profile.timezone,
    )
    return 0
