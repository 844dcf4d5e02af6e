"""The `deliverability` command: one module per subcommand, each with `add_parser` and `run`.

This package only parses arguments, puts the analyst's rules in force and turns the package's
errors into one German sentence; the work happens in the modules the commands call.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from deliverability import __version__, argparse_de
from deliverability.cli import (
    check_sender,
    classify,
    load,
    profiles,
    providers,
    rates,
    replay,
    report,
    restore,
    sample,
    suppress,
    validate,
    weekly,
)
from deliverability.errors import DeliverabilityError

#: The subcommands in the order `--help` lists them.
COMMANDS = (
    report, sample, classify, suppress, validate, restore, replay, load, check_sender,
    providers, rates, weekly, profiles,
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
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    """The command, with the analyst's own rules in force where `--rules` names a file."""
    rules_file = getattr(args, "rules", None)
    if not rules_file:
        return int(args.run(args))
    from deliverability.classify.rules import use_rules
    from deliverability.classify.user_rules import rules_with

    rules = rules_with(rules_file)  # every row checked before the run
    assert rules is not None
    with use_rules(rules):
        return int(args.run(args))


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _run(args)
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
    except Exception as error:  # outside the family: one sentence, the traceback in a log
        from deliverability.cli import crash

        log = crash.write_log(error, list(argv if argv is not None else sys.argv[1:]))
        print(f"Fehler: {crash.sentence(error, log)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
