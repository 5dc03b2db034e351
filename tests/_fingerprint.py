"""The fingerprint of the golden results: a sha256 of what riskeval answers on the repository's fixed inputs.

The inputs: every example household (``examples/households/*.json``) assessed on the examples' date, every
golden case of every pack under ``rules/`` assessed on its own date, and the example event log replayed. The
answers are canonical JSON (sorted keys, no spaces), with the stamp fields that name the build rather than the
result removed (``pack``, ``riskeval``, ``calendar``). The fingerprint is committed beside the version, in
``riskeval/_fingerprint.txt``, with the version it was taken at; ``tests/test_fingerprint.py`` fails when the
results change and the version was not bumped with a CHANGELOG heading naming it.

When results change on purpose::

    # 1. bump riskeval/_version.py; 2. add a CHANGELOG.md heading naming the new version; then
    .venv/bin/python tests/_fingerprint.py --update
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "riskeval" / "_fingerprint.txt"
CHANGELOG = ROOT / "CHANGELOG.md"
VOLATILE = ("pack", "riskeval", "calendar")  # the build's identity, not the result
UPDATE = ".venv/bin/python tests/_fingerprint.py --update"


def _answers() -> dict[str, Any]:
    import riskeval
    from riskeval._cases import read_cases
    from riskeval.cli._demo import EXAMPLES_AS_OF

    def stripped(result: riskeval.HouseholdAssessment) -> dict[str, Any]:
        out = result.model_dump(mode="json")
        for key in VOLATILE:
            out.pop(key, None)
        return out

    def answer(facts: Any, on: Any, pack: riskeval.Pack | None = None) -> Any:
        try:
            return stripped(riskeval.assess(facts, on=on, pack=pack))
        except riskeval.RiskevalError as exc:
            return {"error": [r.as_dict() for r in getattr(exc, "records", [])] or str(exc)}

    answers: dict[str, Any] = {}
    households = sorted((ROOT / "examples" / "households").glob("*.json"))
    for path in households:
        answers[f"examples/households/{path.name}"] = answer(path.read_text(encoding="utf-8"), EXAMPLES_AS_OF)
    for pack_file in sorted((ROOT / "rules").glob("*/pack.yaml")):
        pack = riskeval.load_pack(pack_file.parent)
        for cases in sorted((pack_file.parent / "tests").glob("*.yaml")):
            for case in read_cases(cases).cases:
                key = f"{cases.relative_to(ROOT).as_posix()}#{case['id']}"
                answers[key] = answer(case["household"], case["on"], pack)
    log = ROOT / "examples" / "events" / "beilin-2026-q1.jsonl"
    replay = riskeval.Monitor().replay(
        [p.read_text(encoding="utf-8") for p in households], log.read_text().splitlines()
    )
    as_dict = replay.as_dict()
    as_dict.pop("pack", None)
    answers[log.relative_to(ROOT).as_posix()] = as_dict
    return answers


def fingerprint() -> tuple[str, int]:
    """The sha256 of the canonical JSON of the golden results, and how many results it covers."""
    answers = _answers()
    text = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(answers)


def recorded() -> tuple[str, str]:
    """The committed (version, sha256)."""
    fields = dict(line.split(" ", 1) for line in RECORD.read_text(encoding="utf-8").splitlines() if " " in line)
    return fields["version"].strip(), fields["sha256"].strip()


def changelog_names(version: str) -> bool:
    """Whether a heading of CHANGELOG.md names this version."""
    pattern = re.compile(rf"^#+ .*(?<![\d.]){re.escape(version)}(?![\d.])", re.MULTILINE)
    return bool(pattern.search(CHANGELOG.read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    """``--update`` writes the fingerprint (refused without a version bump and a CHANGELOG heading)."""
    import riskeval

    digest, count = fingerprint()
    old_version, old_digest = recorded() if RECORD.exists() else ("", "")
    version = riskeval.__version__
    if "--update" not in argv:
        print(f"version {version}\nsha256 {digest}\nresults {count}")
        return 0 if digest == old_digest else 1
    if digest == old_digest and version == old_version:
        print("the fingerprint is up to date")
        return 0
    if digest != old_digest and version == old_version:
        print(f"the results changed but the version is still {version}: bump riskeval/_version.py first")
        return 1
    if not changelog_names(version):
        print(f"CHANGELOG.md has no heading naming {version}: add one saying what changed")
        return 1
    RECORD.write_text(
        "# The sha256 of the golden results (tests/_fingerprint.py) and the version it was taken at.\n"
        f"version {version}\nsha256 {digest}\nresults {count}\n",
        encoding="utf-8",
    )
    print(f"wrote {RECORD}: version {version}, sha256 {digest} ({count} results)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
