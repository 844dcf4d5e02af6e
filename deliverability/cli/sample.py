"""`deliverability sample`: Beispieldaten neu erzeugen."""

from __future__ import annotations

import argparse

from deliverability import config


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "sample",
        help="Beispieldaten neu erzeugen (deterministisch)",
        description="Erzeugt die Beispieldaten (vier Wochen eines B2B-Versenders als "
        "Ereignis-CSV und das Bounce-Postfach der letzten Woche als mbox) mit festem "
        "Startwert; mit --scale größere Datensätze für Benchmarks.",
    )
    parser.add_argument(
        "--out",
        metavar="ORDNER",
        default=str(config.SAMPLE_DIR),
        help="Zielordner (Standard: data/sample)",
    )
    parser.add_argument(
        "--seed", type=int, default=20261123, help="Startwert des Zufallsgenerators"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Vielfaches des Standardumfangs (Kontakte und Versand)",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from deliverability.export import check_output
    from deliverability.sample import write_bounce_sample, write_sample

    check_output(Path(args.out), folder=True)
    for path in write_sample(Path(args.out), seed=args.seed, scale=args.scale):
        print(f"geschrieben: {path}")
    bounces = write_bounce_sample(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"geschrieben: {bounces}")
    return 0
