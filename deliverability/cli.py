"""The `deliverability` command: argument parsing and German messages only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from deliverability import __version__, argparse_de, config
from deliverability.errors import DeliverabilityError

#: Export formats of `deliverability suppress` (kept in sync with suppression.exports.FORMATS).
FORMAT_NAMES = (
    "generic", "mailjet", "sendgrid", "brevo", "mailchimp", "hubspot", "zoho_crm", "ses",
    "zendesk_sell",
)  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    argparse_de.install()
    parser = argparse.ArgumentParser(
        prog="deliverability",
        description="Warum kommt unsere Mail nicht an? Auswertungen von Versand- und "
        "Bounce-Protokollen mit deutschem Wochenbericht.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="Versionsnummer anzeigen und beenden",
    )
    commands = parser.add_subparsers(dest="command", title="Befehle", metavar="BEFEHL")

    report = commands.add_parser(
        "report",
        help="Wochenbericht als HTML erzeugen (ohne Angaben: mit den Beispieldaten)",
        description="Führt das Notebook wochenbericht.ipynb mit papermill aus und speichert den "
        "Bericht ohne Code als HTML, dazu die Sperrliste (sperrliste.csv) und die abgelehnten "
        "Zeilen (abgelehnte_zeilen.csv) in AUSGABE/<Woche>/.",
    )
    report.add_argument(
        "--input",
        nargs="+",
        action="extend",
        metavar="DATEI",
        default=[],
        help="Ereignisdateien im CSV-Format (auch .gz); ohne Angabe die "
        "Beispieldaten aus data/sample/",
    )
    report.add_argument(
        "--week",
        metavar="JJJJ-Www",
        help="ISO-Kalenderwoche, z. B. 2026-W47; ohne Angabe die letzte Woche in den Daten",
    )
    report.add_argument(
        "--out",
        metavar="ORDNER",
        default=str(config.REPORTS_DIR),
        help="Ausgabeordner (Standard: reports)",
    )
    report.add_argument(
        "--timezone",
        metavar="ZONE",
        default=config.DEFAULT_TIMEZONE,
        help="Zeitzone für Wochen und Zeitangaben ohne Zone (Standard: Europe/Berlin)",
    )
    report.add_argument(
        "--state",
        metavar="ORDNER",
        help="Ordner der Sperrliste (wie bei `deliverability suppress`); ohne Angabe wird die "
        "Sperrliste nur aus den Eingabedateien berechnet",
    )

    sample = commands.add_parser(
        "sample",
        help="Beispieldaten neu erzeugen (deterministisch)",
        description="Erzeugt die Beispieldaten (vier Wochen eines B2B-Versenders als "
        "Ereignis-CSV und das Bounce-Postfach der letzten Woche als mbox) mit festem "
        "Startwert; mit --scale größere Datensätze für Benchmarks.",
    )
    sample.add_argument(
        "--out",
        metavar="ORDNER",
        default=str(config.SAMPLE_DIR),
        help="Zielordner (Standard: data/sample)",
    )
    sample.add_argument(
        "--seed", type=int, default=20261123, help="Startwert des Zufallsgenerators"
    )
    sample.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="Vielfaches des Standardumfangs (Kontakte und Versand)",
    )
    classify = commands.add_parser(
        "classify",
        help="Bounce-Mails (.eml, mbox, Maildir) auswerten: Grund, hart/weich, Empfehlung",
        description="Liest Bounce-Mails (einzelne .eml-Dateien, mbox-Dateien, Maildir- und "
        "andere Ordner) und gibt je fehlgeschlagenem Empfänger einen Datensatz aus: Empfänger, "
        "Grund, hart/weich, ob die Adresse gesperrt werden sollte, Codes, Fehlermeldung des "
        "Servers und die deutsche Erklärung mit Empfehlung. Mails, die keine Bounces sind, "
        "werden auf der Fehlerausgabe genannt.",
    )
    classify.add_argument("paths", nargs="+", metavar="PFAD", help="Dateien oder Ordner")
    classify.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        default="jsonl",
        help="Ausgabeformat: jsonl (ein JSON-Objekt je Zeile, Standard) oder csv",
    )
    suppress = commands.add_parser(
        "suppress",
        help="Sperrliste aus Ereignissen fortschreiben und für ein Zielsystem exportieren",
        description="Liest Ereignisdateien, schreibt die Sperrliste im Ordner --state fort "
        "(Hardbounces, fünf Softbounces in Folge, Beschwerden, Abmeldungen; Freigaben bleiben "
        "erhalten) und exportiert die gesperrten Adressen im Importformat des Zielsystems. "
        "Ein erneuter Lauf mit denselben Dateien ändert nichts.",
    )
    suppress.add_argument(
        "events", nargs="*", metavar="EREIGNISDATEI", help="CSV-Dateien (auch .gz)"
    )
    suppress.add_argument("--state", required=True, metavar="ORDNER", help="Ordner der Sperrliste")
    suppress.add_argument(
        "--format",
        default="generic",
        choices=tuple(FORMAT_NAMES),
        help="Importformat: " + ", ".join(FORMAT_NAMES) + " (Standard: generic)",
    )
    suppress.add_argument(
        "--since-last",
        action="store_true",
        help="nur Adressen, die seit dem letzten Export dieses Formats gesperrt wurden",
    )
    suppress.add_argument(
        "--excel", action="store_true", help="CSV für deutsches Excel: Semikolon, UTF-8 mit BOM"
    )
    suppress.add_argument("--out", metavar="DATEI", help="Exportdatei")
    suppress.add_argument(
        "--policy", metavar="DATEI", help="eigene Sperrregeln (TOML, siehe README)"
    )
    suppress.add_argument("--add", metavar="ADRESSE", help="Adresse manuell sperren (mit --reason)")
    suppress.add_argument("--reason", metavar="TEXT", help="Grund der manuellen Sperre")
    suppress.add_argument("--by", metavar="NAME", help="wer sperrt (Standard: Benutzername)")
    _engine_options(suppress)

    validate = commands.add_parser(
        "validate",
        help="Adressliste vor dem Import prüfen (Syntax, Tippfehler, DNS, Wegwerf- und Rollenadressen)",
        description="Prüft jede Adresse einer CSV-Datei und schreibt in den Ausgabeordner: results.csv "
        "(alle Zeilen mit status, reason, reason_text, suggestion), clean.csv (zum Import, "
        "nur Adressen in Ordnung) und held_back.csv (zurückgehaltene Adressen mit Grund). "
        "Eine DNS-Zeitüberschreitung macht eine Adresse nie ungültig, nur „unklar“.",
    )
    validate.add_argument("file", metavar="DATEI", help="CSV-Datei mit Adressen (auch .gz)")
    validate.add_argument(
        "--column", metavar="SPALTE", help="Spalte mit der Adresse (Standard: email, E-Mail …)"
    )
    validate.add_argument(
        "--nameserver", metavar="HOST:PORT", help="DNS-Server (Standard: der des Systems)"
    )
    validate.add_argument(
        "--suppression-state",
        metavar="ORDNER",
        help="Ordner der Sperrliste: gesperrte Adressen zurückhalten",
    )
    validate.add_argument("--out", required=True, metavar="ORDNER", help="Ausgabeordner")
    validate.add_argument(
        "--include-risky",
        action="store_true",
        help="riskante Adressen (Rollen-, Wegwerfadressen …) mit in clean.csv",
    )
    validate.add_argument(
        "--apply-suggestions",
        action="store_true",
        help="Tippfehler-Vorschläge in clean.csv übernehmen (Original in eigener Spalte)",
    )
    validate.add_argument("--no-dns", action="store_true", help="ohne DNS-Prüfung")
    validate.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        metavar="SEKUNDEN",
        help="Zeitlimit je DNS-Abfrage (Standard: 3)",
    )

    restore = commands.add_parser(
        "restore",
        help="eine gesperrte Adresse mit schriftlichem Grund wieder freigeben",
        description="Gibt eine gesperrte Adresse frei. Der Grund wird mit Zeit und Person im "
        "Verlauf (verlauf.csv) gespeichert. Bounct die Adresse danach wieder hart, wird sie "
        "erneut gesperrt.",
    )
    restore.add_argument("address", metavar="ADRESSE")
    restore.add_argument("--state", required=True, metavar="ORDNER", help="Ordner der Sperrliste")
    restore.add_argument(
        "--reason", required=True, metavar="TEXT", help="warum die Sperre aufgehoben wird"
    )
    restore.add_argument("--by", metavar="NAME", help="wer freigibt (Standard: Benutzername)")
    restore.add_argument("--policy", metavar="DATEI", help="eigene Sperrregeln (TOML)")

    replay = commands.add_parser(
        "replay",
        help="Sendungen gegen die Versandlimits eines Hosts nachspielen oder einen Versand planen",
        description="Sagt für jede Sendung, was der Host mit dem Limitprofil getan hätte "
        "(sent, delayed, rejected, blocked), oder plant mit --mode plan den frühesten Versand, "
        "der keine Regel verletzt. Eingabe: Ereignisexporte (Spalte event) oder eine CSV mit "
        "requested_at,message_id,recipient[,recipients]. Schreibt AUSGABE.csv je Sendung und "
        "AUSGABE_tage.csv je Tag.",
    )
    replay.add_argument("sends", nargs="+", metavar="SENDUNGEN", help="CSV-Dateien (auch .gz)")
    replay.add_argument(
        "--profile",
        required=True,
        metavar="NAME|DATEI",
        help="Vorlage (siehe deliverability profiles) oder eigene TOML-Datei",
    )
    replay.add_argument(
        "--mode",
        choices=["replay", "plan"],
        default="replay",
        help="replay: nachspielen (Standard); plan: frühesten Versand planen",
    )
    replay.add_argument(
        "--start", metavar="ZEIT", help="frühester Versand, z. B. 2026-11-24T08:00 (für plan)"
    )
    replay.add_argument("--sender", metavar="ADRESSE", help="nur die Sendungen dieses Absenders")
    replay.add_argument(
        "--source", metavar="QUELLE", help="nur Ereignisse dieser Quelle, z. B. zendesk_sell"
    )
    replay.add_argument("--out", required=True, metavar="DATEI.csv", help="Ausgabedatei")
    _engine_options(replay)

    load = commands.add_parser(
        "load",
        help="Exporte beliebiger Quellen in eine Parquet-Datei des Ereignisschemas laden",
        description="Liest Exporte von Mailjet, SendGrid, Amazon SES, Mailgun, Brevo, Postmark, "
        "Postfix-Logs, Bounce-Mails, generische CSVs und CSVs mit Zuordnungsdatei. Das Format "
        "wird am Inhalt erkannt (--format überschreibt). Jede Datei wird abgerechnet: gelesen = "
        "geladen + abgelehnt + bewusst übersprungen + doppelt.",
    )
    load.add_argument("paths", nargs="+", metavar="PFAD", help="Dateien oder Maildir-Ordner")
    load.add_argument(
        "--format",
        metavar="FORMAT",
        help="z. B. sendgrid, ses, postfix, generic_csv oder mapping:DATEI.toml",
    )
    load.add_argument("--out", required=True, metavar="DATEI.parquet", help="Ausgabedatei")
    load.add_argument(
        "--rejects", metavar="DATEI.csv", help="abgelehnte Einträge (Standard: neben --out)"
    )
    load.add_argument(
        "--timezone",
        default=config.DEFAULT_TIMEZONE,
        metavar="ZONE",
        help="Zeitzone für Zeitangaben ohne Zone (Standard: Europe/Berlin)",
    )

    sender = commands.add_parser(
        "check-sender",
        help="SPF, DMARC, DKIM, MX und Absender-Ausrichtung einer Versanddomain prüfen",
        description="Prüft per DNS je Domain: SPF (Eintrag, Syntax, all-Qualifier, höchstens 10 "
        "DNS-Abfragen, Abfragen ohne Ergebnis), DMARC (_dmarc.DOMAIN: p, sp, pct, rua), DKIM für "
        "die angegebenen Selektoren, MX/Null-MX und – mit --from – ob die Absenderdomain zur "
        "Versanddomain passt. Gibt je Domain einen Datensatz mit deutschen Befunden aus.",
    )
    sender.add_argument("domains", nargs="+", metavar="DOMAIN")
    sender.add_argument(
        "--dkim-selector",
        action="append",
        default=[],
        metavar="SELEKTOR",
        help="DKIM-Selektor (mehrfach möglich), z. B. google, s1, mj",
    )
    sender.add_argument("--from", dest="from_address", metavar="ADRESSE", help="Absenderadresse")
    sender.add_argument("--nameserver", metavar="HOST:PORT", help="DNS-Server (Standard: System)")
    sender.add_argument(
        "--format", choices=["json", "csv"], default="json", help="Ausgabe (Standard: json)"
    )

    providers = commands.add_parser(
        "providers",
        help="den tatsächlichen Mailanbieter von Domains an ihren MX-Einträgen erkennen",
        description="Schlägt die MX-Einträge der Domains nach (gleichzeitig, je Domain einmal) "
        "und ordnet sie einem Anbieter zu (Google Workspace, Microsoft 365, IONOS, Proofpoint …); "
        "Ausgabe als CSV mit domain, provider, mx.",
    )
    providers.add_argument("domains", nargs="+", metavar="DOMAIN")
    providers.add_argument(
        "--nameserver", metavar="HOST:PORT", help="DNS-Server (Standard: System)"
    )

    rates = commands.add_parser(
        "rates",
        help="Bounce- und Zustellraten einer Woche je Domain oder Anbieter als CSV",
        description="Rechnet je Empfängerdomain oder Mailbox-Anbieter die Raten einer Woche "
        "(versendet, zugestellt, hart, weich, Bounce-Rate mit 95-%%-Intervall nach Wilson, "
        "Vergleich zur Vorwoche) und schreibt sie als CSV.",
    )
    rates.add_argument("events", nargs="+", metavar="EREIGNISSE", help="Exporte jeder Quelle")
    rates.add_argument("--by", choices=["domain", "provider"], default="domain")
    rates.add_argument("--week", metavar="JJJJ-Www", help="ISO-Woche (Standard: die letzte)")
    rates.add_argument("--out", required=True, metavar="DATEI.csv", help="Ausgabedatei")
    rates.add_argument(
        "--timezone", default=config.DEFAULT_TIMEZONE, metavar="ZONE", help="Zeitzone für Wochen"
    )
    _engine_options(rates)

    weekly = commands.add_parser(
        "weekly",
        help="Die Wochenanalysen in einem Lauf: Raten, Sperrliste, Versandlimits (auch auf Spark)",
        description="Liest die Ereignisse einmal und schreibt in den Ordner --out: Raten je "
        "Domain und je Anbieter (raten_domains.csv, raten_anbieter.csv), mit --state die "
        "fortgeschriebene Sperrliste und ihren Export (sperrliste.csv), mit --profile das "
        "Nachspielen aller Absenderkonten gegen die Versandlimits (versandlimits.csv, "
        "versandlimits_tage.csv) und die nicht verwendbaren Zeilen (abgelehnte_zeilen.csv). "
        "Mit --engine spark rechnet ein Spark-Cluster dieselben Dateien.",
    )
    weekly.add_argument(
        "events",
        nargs="+",
        metavar="EREIGNISSE",
        help="Exporte jeder Quelle (mit --engine spark auch Ordner, Globs und URIs wie s3a://…)",
    )
    weekly.add_argument("--out", required=True, metavar="ORDNER", help="Ausgabeordner")
    weekly.add_argument("--week", metavar="JJJJ-Www", help="ISO-Woche (Standard: die letzte)")
    weekly.add_argument(
        "--timezone", default=config.DEFAULT_TIMEZONE, metavar="ZONE", help="Zeitzone für Wochen"
    )
    weekly.add_argument("--state", metavar="ORDNER", help="Ordner der Sperrliste (fortschreiben)")
    weekly.add_argument(
        "--format",
        default="generic",
        choices=tuple(FORMAT_NAMES),
        help="Importformat des Sperrlisten-Exports (Standard: generic)",
    )
    weekly.add_argument("--policy", metavar="DATEI", help="eigene Sperrregeln (TOML)")
    weekly.add_argument(
        "--profile", metavar="NAME|DATEI", help="Limitprofil für das Nachspielen (siehe profiles)"
    )
    _engine_options(weekly)

    for command in (classify, suppress, load, rates, weekly, report):
        _rules_option(command)

    profiles = commands.add_parser(
        "profiles",
        help="Vorlagen der Versandlimits mit Regeln und Quellen anzeigen",
        description="Listet die mitgelieferten Limitprofile; mit NAME ein Profil mit Quellen.",
    )
    profiles.add_argument("name", nargs="?", metavar="NAME")
    return parser


def _engine_options(command: argparse.ArgumentParser) -> None:
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


def _rules_option(command: argparse.ArgumentParser) -> None:
    """`--rules`: the analyst's own classification rules, which win over the shipped ones."""
    command.add_argument(
        "--rules",
        metavar="DATEI.csv",
        help="eigene Klassifizierungsregeln (CSV mit den Spalten reason und pattern, optional "
        "bounce_type und source); sie gehen den mitgelieferten Regeln vor",
    )


def _run_replay(args: argparse.Namespace) -> int:
    from deliverability.limits.cli import run_replay

    return run_replay(
        args.sends,
        args.profile,
        args.mode,
        args.start,
        args.out,
        args.sender,
        args.source,
        args.engine,
        args.spark_master,
    )


def _run_load(args: argparse.Namespace) -> int:
    from deliverability.ingest.cli import run_load

    return run_load(args.paths, args.format, args.out, args.rejects, args.timezone)


def _run_check_sender(args: argparse.Namespace) -> int:
    from deliverability.senderauth.cli import run_check_sender

    return run_check_sender(
        args.domains, args.dkim_selector, args.from_address, args.nameserver, args.format
    )


def _run_providers(args: argparse.Namespace) -> int:
    from deliverability.senderauth.cli_providers import run_providers

    return run_providers(args.domains, args.nameserver)


def _run_rates(args: argparse.Namespace) -> int:
    from deliverability.rates_cli import run_rates

    return run_rates(
        args.events, args.by, args.week, args.out, args.timezone, args.engine, args.spark_master
    )


def _run_weekly(args: argparse.Namespace) -> int:
    from deliverability.weekly_cli import run_weekly

    return run_weekly(
        args.events,
        args.out,
        args.week,
        args.timezone,
        args.state,
        args.format,
        args.policy,
        args.profile,
        args.engine,
        args.spark_master,
    )


def _run_profiles(args: argparse.Namespace) -> int:
    from deliverability.limits.cli import run_profiles

    return run_profiles(args.name)


def _run_suppress(args: argparse.Namespace) -> int:
    from deliverability.suppression.cli import run_suppress

    return run_suppress(
        args.events,
        args.state,
        args.out,
        args.format,
        args.since_last,
        args.excel,
        args.policy,
        args.add,
        args.reason,
        args.by,
        args.engine,
        args.spark_master,
    )


def _run_validate(args: argparse.Namespace) -> int:
    from deliverability.validate.cli import run_validate

    return run_validate(
        args.file,
        args.column,
        args.nameserver,
        args.suppression_state,
        args.out,
        include_risky=args.include_risky,
        apply_suggestions=args.apply_suggestions,
        dns=not args.no_dns,
        timeout=args.timeout,
    )


def _run_restore(args: argparse.Namespace) -> int:
    from deliverability.suppression.cli import run_restore

    return run_restore(args.address, args.state, args.reason, args.by, args.policy)


def _run_classify(args: argparse.Namespace) -> int:
    from deliverability.bounces.cli_classify import run

    return run(args.paths, args.format)


def _run_report(args: argparse.Namespace) -> int:
    from deliverability.report.runner import run_weekly_report

    result = run_weekly_report(
        inputs=[Path(p) for p in args.input],
        week=args.week,
        out_dir=Path(args.out),
        timezone=args.timezone,
        state_dir=Path(args.state) if args.state else None,
        rules_file=Path(args.rules) if args.rules else None,
    )
    print(f"Bericht für {result.week_title}: {result.html}")
    print(f"Sperrliste ({result.suppressed} Adressen): {result.suppression_csv}")
    if result.rejected:
        print(f"{result.rejected} Zeilen abgelehnt, mit Grund in: {result.rejects_csv}")
    return 0


def _run_sample(args: argparse.Namespace) -> int:
    from deliverability.sample import write_sample
    from deliverability.sample_bounces import write_bounce_sample

    for path in write_sample(Path(args.out), seed=args.seed, scale=args.scale):
        print(f"geschrieben: {path}")
    bounces = write_bounce_sample(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"geschrieben: {bounces}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {
        "report": _run_report,
        "sample": _run_sample,
        "classify": _run_classify,
        "suppress": _run_suppress,
        "restore": _run_restore,
        "validate": _run_validate,
        "replay": _run_replay,
        "profiles": _run_profiles,
        "load": _run_load,
        "check-sender": _run_check_sender,
        "providers": _run_providers,
        "rates": _run_rates,
        "weekly": _run_weekly,
    }
    if args.command is None:
        parser.print_help()
        return 2
    try:
        rules_file = getattr(args, "rules", None)
        if not rules_file:
            return handlers[args.command](args)
        from deliverability.classify.rules import use_rules
        from deliverability.classify.user_rules import rules_with

        rules = rules_with(rules_file)  # every row is checked before anything runs
        assert rules is not None
        with use_rules(rules):
            return handlers[args.command](args)
    except DeliverabilityError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
