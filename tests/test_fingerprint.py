"""One version, bumped when results change (issue 18 item 5): the golden results' fingerprint is committed
beside the version, and a change of results without a new version and a CHANGELOG entry fails here."""

from __future__ import annotations

from pathlib import Path

import _fingerprint
import pytest
from _fingerprint import UPDATE, changelog_names, fingerprint, recorded

import riskeval


def test_the_golden_results_match_the_committed_fingerprint() -> None:
    """The results on the examples, the golden cases and the example log hash to riskeval/_fingerprint.txt."""
    version, digest = recorded()
    now, count = fingerprint()
    assert now == digest, (
        f"the golden results changed ({count} results; sha256 {now}, committed {digest} at version {version}). "
        "If on purpose: bump riskeval/_version.py, add a CHANGELOG.md heading naming the new version, and run "
        f"`{UPDATE}`. If not: a result changed by accident."
    )


def test_the_fingerprint_was_taken_at_a_version_the_changelog_names() -> None:
    """The recorded version has a CHANGELOG heading, and is not newer than the package's version."""
    version, _ = recorded()
    assert changelog_names(version), f"CHANGELOG.md has no heading naming {version}"
    as_tuple = lambda v: tuple(int(p) for p in v.split(".")[:3])  # noqa: E731
    assert as_tuple(version) <= as_tuple(riskeval.__version__)


def test_the_fingerprint_is_the_same_twice() -> None:
    """Computing it again gives the same digest (no clock, no hash seed, no dict order in it)."""
    assert fingerprint() == fingerprint()


def test_the_update_command_refuses_changed_results_without_a_new_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tests/_fingerprint.py --update` writes nothing while the version is the recorded one, or has no
    CHANGELOG heading; with both, it writes the new digest and version."""
    record = tmp_path / "_fingerprint.txt"
    record.write_text(f"version {riskeval.__version__}\nsha256 {'0' * 64}\n", encoding="utf-8")
    monkeypatch.setattr(_fingerprint, "RECORD", record)
    monkeypatch.setattr(_fingerprint, "fingerprint", lambda: ("f" * 64, 1))
    assert _fingerprint.main(["--update"]) == 1
    assert "bump riskeval/_version.py" in capsys.readouterr().out
    monkeypatch.setattr(riskeval, "__version__", "99.0.0")
    assert _fingerprint.main(["--update"]) == 1
    assert "no heading naming 99.0.0" in capsys.readouterr().out
    monkeypatch.setattr(_fingerprint, "changelog_names", lambda version: version == "99.0.0")
    assert _fingerprint.main(["--update"]) == 0
    assert _fingerprint.recorded() == ("99.0.0", "f" * 64)
