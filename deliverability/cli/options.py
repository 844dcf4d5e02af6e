"""Options that several commands share, and registries read when they are needed."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator


class RegistryChoices:
    """The names of a registry as argparse choices, read on first use.

    The parser is built for every command; reading a registry only when its option is
    checked or its help is shown keeps commands such as `classify` from importing polars.
    """

    def __init__(self, names: Callable[[], list[str]]) -> None:
        self._names = names

    def __contains__(self, value: object) -> bool:
        return value in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def _export_format_names() -> list[str]:
    from deliverability.suppression.exports import FORMATS

    return list(FORMATS)


def export_formats() -> RegistryChoices:
    """The import formats of the target systems (`suppression.exports.FORMATS`)."""
    return RegistryChoices(_export_format_names)


def engine_options(command: argparse.ArgumentParser) -> None:
    """`--engine` and `--spark-master` (the Spark engine needs the extra `[spark]`)."""
    command.add_argument(
        "--engine",
        choices=["polars", "spark"],
        default="polars",
        help="polars: auf diesem Rechner (Standard); spark: auf einem Spark-Cluster "
        "(pip install 'deliverability[spark]')",
    )
    command.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark-Master, z. B. local[4], yarn, spark://host:7077 (Standard: die "
        "Spark-Konfiguration, sonst local[*])",
    )


def csv_option(command: argparse.ArgumentParser) -> None:
    """`--csv`: the form of the CSV files for people (German Excel, or the machine form)."""
    command.add_argument(
        "--csv",
        choices=["excel", "standard"],
        default="excel",
        help="excel: für deutsches Excel (UTF-8 mit BOM, Semikolon, Dezimalkomma, deutsche "
        "Spaltennamen und Werte, Ortszeit; Standard); standard: für Skripte (RFC 4180, Komma, "
        "Dezimalpunkt, englische Spaltennamen, ISO-8601-Zeiten). Importdateien für Zielsysteme "
        "behalten immer deren Format.",
    )


def xlsx_option(command: argparse.ArgumentParser, name: str) -> None:
    """`--xlsx`: the same tables also as one Excel workbook (`name`)."""
    command.add_argument(
        "--xlsx",
        action="store_true",
        help=f"die Tabellen zusätzlich als Excel-Arbeitsmappe schreiben ({name}): ein Blatt je "
        "Tabelle, deutsche Spaltennamen, echte Zahlen mit Prozent- und Tausenderformat, Filter, "
        "fixierte Kopfzeile",
    )


def rules_option(command: argparse.ArgumentParser) -> None:
    """`--rules`: the analyst's own classification rules, which win over the shipped ones."""
    command.add_argument(
        "--rules",
        metavar="DATEI.csv",
        help="eigene Klassifizierungsregeln (CSV mit den Spalten reason und pattern, optional "
        "bounce_type und source); sie gehen den mitgelieferten Regeln vor",
    )


def settings_options(command: argparse.ArgumentParser, *, state: bool = True) -> None:
    """`--settings` (the analyst's settings file) and, for commands that keep a suppression
    list, `--policy-change` (new suppression rules taken on purpose)."""
    command.add_argument(
        "--settings",
        metavar="DATEI.toml",
        help="Einstellungsdatei (Standard: deliverability.toml im Arbeits- oder Projektordner, "
        "sonst die mitgelieferten Voreinstellungen)",
    )
    if state:
        command.add_argument(
            "--policy-change",
            action="store_true",
            help="andere Sperrregeln als die, mit denen die Sperrliste geführt wurde, bewusst "
            "übernehmen",
        )


def nameserver_option(command: argparse.ArgumentParser) -> None:
    """`--nameserver`: the DNS server to ask instead of the system's (checked on reading)."""
    from deliverability.cli.values import nameserver

    command.add_argument(
        "--nameserver",
        type=nameserver,
        metavar="IP:PORT",
        help="DNS-Server als IP-Adresse, z. B. 127.0.0.1:53 (Standard: der des Systems)",
    )


def timezone_option(command: argparse.ArgumentParser, purpose: str) -> None:
    """`--timezone`: an IANA zone (checked on reading), Europe/Berlin unless given."""
    from deliverability import config
    from deliverability.cli.values import timezone_name

    command.add_argument(
        "--timezone",
        type=timezone_name,
        default=config.DEFAULT_TIMEZONE,
        metavar="ZONE",
        help=f"Zeitzone für {purpose}",
    )
