"""The ``riskeval`` command line: assess households, check and describe rule packs, run the demo.

Exit codes: 0 done; 1 invalid input (bad JSON, a household that fails validation, an unknown or broken
pack), with one JSON error record per line on stderr (``loc``, ``code``, ``message``, ``value``, and
``row`` for the n-th household of the input); 2 usage (argparse). Never a traceback.

Each group of subcommands is its own module with ``register(subparsers)`` (``_assess``, ``_rules``,
``_demo``, ``_batch``, ``_triggers``), registered here in that order; what they share (dates, households
from JSON, error records) is ``_io``'s. Each parser a group adds sets ``handler``
(``Callable[[argparse.Namespace], int]``) with ``set_defaults``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from riskeval import audit
from riskeval.cli import _assess, _batch, _demo, _rules, _triggers
from riskeval.cli._assess import cmd_assess, text_report
from riskeval.cli._demo import EXAMPLES_AS_OF, cmd_demo, demo_households
from riskeval.cli._io import _date, _errors, _records_of, read_households
from riskeval.cli._rules import cmd_rules_check, cmd_rules_schema, schemas
from riskeval.errors import ErrorRecord, RiskevalError, scrub_text

# What moved to the subcommand modules stays importable from here (the plugins import _date and _errors);
# not _demo.example_dirs: patch it where the demo looks it up.
__all__ = [
    "EXAMPLES_AS_OF",
    "Handler",
    "_date",
    "_errors",
    "_records_of",
    "build_parser",
    "cmd_assess",
    "cmd_demo",
    "cmd_rules_check",
    "cmd_rules_schema",
    "demo_households",
    "main",
    "read_households",
    "schemas",
    "text_report",
]

Handler = Callable[[argparse.Namespace], int]


class _Help(argparse.HelpFormatter):
    """Help that says each option's default, unless its text already does or there is none to say."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if "default" in text or default is None or default is argparse.SUPPRESS or isinstance(default, bool):
            return text
        if not action.option_strings and action.nargs not in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return text
        return f"{text} (default: %(default)s)".lstrip()


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors quote the arguments: a name or an ID number typed into one is not echoed
    (the subcommands' parsers are of this class too: argparse makes them of their parent's), and whose help
    shows the defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        super().error(scrub_text(message))


def build_parser() -> tuple[argparse.ArgumentParser, Any]:
    """The argument parser and its subparsers (for plugins)."""
    parser = _Parser(prog="riskeval", description="Tiered risk assessment of children, from rule packs.")
    parser.add_argument("--version", action="version", version=f"riskeval {audit.riskeval_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (_assess, _rules, _demo, _batch, _triggers):
        group.register(sub)
    return parser, sub


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 done, 1 invalid input, 2 usage)."""
    parser, _ = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors, --help, --version
        return exc.code if isinstance(exc.code, int) else 2
    handler: Handler = args.handler
    if sys.stdout is None:  # started with stdout closed: print() would drop every result without a word
        _unwritten("stdout is closed: the output would be lost")
        return 1
    try:
        code = handler(args)
        sys.stdout.flush()  # here, not at exit, so that a failed write is this command's failure
        return code
    except RiskevalError as exc:
        _errors(_records_of(exc))
        return 1
    except BrokenPipeError:
        # The reader went away (`riskeval demo | head`): the conventional exit of a process killed by SIGPIPE
        # (128 + 13), never success, since the output was not all read; nothing more to say.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        return 141
    except OSError as exc:  # a disk full (> /dev/full), a file that cannot be written
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the unwritten rest must not fail again at exit
        _unwritten(f"cannot write the output: {exc.strerror or exc}")
        return 1
    except ImportError as exc:  # an optional extra that is not installed: say which, not "a bug"
        _errors([ErrorRecord("<environment>", "missing_extra", str(exc))])
        return 1
    except Exception as exc:
        if os.environ.get("RISKEVAL_TRACEBACK"):
            raise
        _errors([ErrorRecord("<internal>", "internal_error", f"{type(exc).__name__}: {exc} (a bug: please report)")])
        return 1


def _unwritten(message: str) -> None:
    with contextlib.suppress(OSError, AttributeError):  # stderr may be closed too: the exit code still says it
        _errors([ErrorRecord("<output>", "unwritable", message)])
        sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
