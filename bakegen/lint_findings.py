"""Findings of `bakegen lint`, and the report that merges the same finding from many targets."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bakegen.errors import KeyPath
from bakegen.pipeline import Compiled
from bakegen.targets import Target

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
        return (
            self.file,
            self.line or 0,
            self.rule,
            self.severity,
            self.message,
            self.hint or "",
            self.reason or "",
        )


def _merge(into: dict[FindingKey, Finding], finding: Finding) -> None:
    key = finding.key()
    old = into.get(key)
    if old is None:
        into[key] = finding
    else:
        merged = (*old.targets, *(t for t in finding.targets if t not in old.targets))
        into[key] = replace(old, targets=merged)


@dataclass
class Report:
    compiled: Compiled
    found: dict[FindingKey, Finding] = field(default_factory=dict)
    # Findings left out, each with its reason: shown in JSON, not counted.
    left_out: dict[FindingKey, Finding] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        _merge(self.found, finding)

    def leave_out(self, finding: Finding) -> None:
        _merge(self.left_out, finding)

    def findings(self) -> list[Finding]:
        return [self.found[k] for k in sorted(self.found)]

    def suppressed(self) -> list[Finding]:
        return [self.left_out[k] for k in sorted(self.left_out)]

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
        loc = self.compiled.matrix.source.locate(path)
        self.add(
            Finding(
                severity=severity,
                rule=rule,
                file=loc.file,
                line=loc.line,
                message=message,
                hint=hint,
                targets=(target.name,),
            )
        )

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
