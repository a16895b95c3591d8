"""Findings of `bakegen lint`, and the report that merges the same finding from many targets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bakegen.errors import KeyPath
from bakegen.pipeline import Compiled
from bakegen.resolve.targets import Target

Severity = Literal["error", "warning", "info"]
FindingKey = tuple[str, int, str, str, str, str, str]


@dataclass(frozen=True, kw_only=True)
class Finding:
    severity: Severity
    rule: str
    file: str
    line: int | None
    message: str
    hint: str | None = None
    targets: tuple[str, ...] = ()
    # Why the finding was downgraded or left out (hadolint findings the target disproves).
    reason: str | None = None

    @property
    def target(self) -> str | None:
        return self.targets[0] if self.targets else None

    def key(self) -> FindingKey:
        """Identity (for merging the same finding from many targets) and report order."""
        return finding_key(
            self.file, self.line, self.rule, self.severity, self.message, self.hint, self.reason
        )


def finding_key(
    file: str,
    line: int | None,
    rule: str,
    severity: str,
    message: str,
    hint: str | None,
    reason: str | None = None,
) -> FindingKey:
    """The key of a finding with these fields (Finding.key), without making the finding."""
    return (file, line or 0, rule, severity, message, hint or "", reason or "")


class Merged:
    """The same finding from many targets, kept once with every target it concerns (in the
    order they reported it); adding is constant time, however many targets report it."""

    def __init__(self) -> None:
        self._first: dict[FindingKey, Finding] = {}
        self._targets: dict[FindingKey, dict[str, None]] = {}

    def add(self, finding: Finding) -> None:
        key = finding.key()
        if key not in self._first:
            self._first[key] = finding
            self._targets[key] = {}
        self._targets[key].update(dict.fromkeys(finding.targets))

    def targets_of(self, finding: Finding) -> dict[str, None]:
        """The targets (in report order) of the finding with `finding`'s key, which is kept
        from now on; adding to them adds targets to it."""
        key = finding.key()
        if key not in self._first:
            self._first[key] = finding
            self._targets[key] = {}
        return self._targets[key]

    def add_target(
        self, key: FindingKey, finding: Finding | Callable[[], Finding], name: str
    ) -> None:
        """The finding with `key` (given, or made only when it is new) reported by one more
        target: the fast path for a finding many targets report."""
        targets = self._targets.get(key)
        if targets is None:
            self._first[key] = finding if isinstance(finding, Finding) else finding()
            targets = self._targets[key] = {}
        targets[name] = None

    def values(self) -> list[Finding]:
        """Every finding, in report order."""
        return [
            replace(self._first[k], targets=tuple(self._targets[k])) for k in sorted(self._first)
        ]


@dataclass
class Report:
    compiled: Compiled
    found: Merged = field(default_factory=Merged)
    # Findings left out, each with its reason: shown in JSON, not counted.
    left_out: Merged = field(default_factory=Merged)
    # The targets of each finding placed at an origin key path of the matrix (many targets
    # report the same): by key path and what the finding says, so the path is located once.
    _slots: dict[tuple[KeyPath, str, str, str, str | None], dict[str, None]] = field(
        default_factory=dict, repr=False
    )

    def add(self, finding: Finding) -> None:
        self.found.add(finding)

    def leave_out(self, finding: Finding) -> None:
        self.left_out.add(finding)

    def findings(self) -> list[Finding]:
        return self.found.values()

    def suppressed(self) -> list[Finding]:
        return self.left_out.values()

    def at_matrix(
        self,
        target: Target,
        origin: str,
        fallback: KeyPath,
        severity: Severity,
        rule: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        path = target.origins.get(origin, fallback)
        slot = (path, rule, severity, message, hint)
        targets = self._slots.get(slot)
        if targets is None:
            loc = self.compiled.matrix.source.locate(path)
            finding = Finding(
                severity=severity,
                rule=rule,
                file=loc.file,
                line=loc.line,
                message=message,
                hint=hint,
                targets=(target.name,),
            )
            targets = self._slots[slot] = self.found.targets_of(finding)
        targets[target.name] = None

    def at_file(
        self,
        target: Target | None,
        path: Path,
        line: int | None,
        severity: Severity,
        rule: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.add(
            Finding(
                severity=severity,
                rule=rule,
                file=str(path),
                line=line,
                message=message,
                hint=hint,
                targets=(target.name,) if target else (),
            )
        )
