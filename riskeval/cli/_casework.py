"""``riskeval rules test`` and ``riskeval rules coverage``: a pack's golden cases, their strength, its rules' use.

``rules test PACK`` runs the cases outside pytest: one line per case that fails and one per field that
differs. ``--mutate`` nudges every parameter and lists the mutants no case kills. ``rules coverage`` counts
how often each rule held, was unknown and was decisive, over the golden cases or a population.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from riskeval._cases import check_case, pack_case_files
from riskeval._mutants import run_mutants
from riskeval.analysis import coverage
from riskeval.cli._io import _date
from riskeval.pack import default_pack_dir, load_pack
from riskeval.population import read_population


def register(rsub: Any) -> None:
    """Add ``test`` and ``coverage`` to the ``rules`` group."""
    p = rsub.add_parser("test", help="run a pack's golden cases (tests/*.yaml) outside pytest")
    p.add_argument("dir", metavar="DIR", nargs="?", default=None, help="pack folder (default: the embedded pack)")
    p.add_argument("--mutate", action="store_true", help="also nudge every parameter; list the mutants no case kills")
    p.set_defaults(handler=cmd_rules_test)
    p = rsub.add_parser("coverage", help="how often each rule held, was unknown and was decisive")
    p.add_argument("dir", metavar="DIR", nargs="?", default=None, help="pack folder (default: the embedded pack)")
    p.add_argument("--population", default=None, help="a population (default: the pack's golden cases)")
    p.add_argument("--on", type=_date, default=None, help="the assessment date of --population")
    p.add_argument("--no-decisive", action="store_true", help="skip decisiveness (one batch per rule)")
    p.set_defaults(handler=cmd_rules_coverage)


def cmd_rules_test(args: argparse.Namespace) -> int:
    """Exit 0 when every case passes (and, with --mutate, every mutant is killed), else 1."""
    folder = Path(args.dir) if args.dir else default_pack_dir()
    pack = load_pack(folder)
    files = pack_case_files(folder)
    failed = passed = 0
    for f in files:
        for problem in f.problems:
            print(f"FILE {problem}")
        for case in f.cases:
            problems = check_case(case, pack)
            if problems:
                failed += 1
                print(f"FAIL {f.path.name}::{case['id']}")
                print(*(f"  {p}" for p in problems), sep="\n")
            else:
                passed += 1
    bad_files = sum(1 for f in files if f.problems)
    print(f"{passed} passed, {failed} failed, {bad_files} file(s) with problems ({pack.id} {pack.version})")
    ok = failed == 0 and bad_files == 0
    if args.mutate and ok:
        mutants = run_mutants(
            pack, files, progress=lambda k, n: print(f"\rmutant {k + 1}/{n}", end="", file=sys.stderr)
        )
        print(file=sys.stderr)
        survivors = [m for m in mutants if m.survived]
        for m in survivors:
            print(f"SURVIVED {m.parameter} {m.change}: no case notices it")
        print(f"{len(mutants) - len(survivors)} of {len(mutants)} mutants killed")
        ok = not survivors
    return 0 if ok else 1


def cmd_rules_coverage(args: argparse.Namespace) -> int:
    """Print the coverage table of a pack (over its golden cases unless --population is given)."""
    folder = Path(args.dir) if args.dir else default_pack_dir()
    pack = load_pack(folder)
    decisive = not args.no_decisive
    if args.population is not None:
        if args.on is None:
            print("--on is needed with --population", file=sys.stderr)
            return 2
        result = coverage(read_population(args.population), pack, on=args.on, decisive=decisive)
    else:
        by_day: dict[Any, list[Any]] = defaultdict(list)
        cases = [c for f in pack_case_files(folder) for c in f.cases]
        for k, case in enumerate(cases):
            if "expect_error" not in case and isinstance(case.get("household"), dict):
                # cases reuse household ids (one case, one household): a batch would reject them as duplicates
                by_day[case["on"]].append({**case["household"], "id": f"case-{k}"})
        days = sorted(by_day)
        result = coverage([by_day[d] for d in days], pack, on=days, decisive=decisive)
    print(result)
    return 0
