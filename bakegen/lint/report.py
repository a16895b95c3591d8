"""`bakegen lint` output: text for people, stable JSON for CI annotations."""

from __future__ import annotations

import json

from bakegen.lint.findings import Finding


def summary(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}


def format_text(findings: list[Finding], targets: int, left_out: int = 0) -> str:
    lines = []
    for f in findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        lines.append(f"{where}: {f.severity} [{f.rule}] {f.message}")
        if f.targets:
            more = f" (and {len(f.targets) - 1} more)" if len(f.targets) > 1 else ""
            lines.append(f"    target: {f.targets[0]}{more}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
        if f.reason:
            lines.append(f"    note: {f.reason}")
    counts = summary(findings)
    tail = (
        f" ({left_out} hadolint findings left out as disproved; --format json shows why)"
        if left_out
        else ""
    )
    lines.append(
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} "
        f"infos in {targets} targets{tail}"
    )
    return "\n".join(lines) + "\n"


def _entry(f: Finding) -> dict[str, object]:
    entry: dict[str, object] = {
        "severity": f.severity,
        "rule": f.rule,
        "file": f.file,
        "line": f.line,
        "target": f.target,
        "targets": list(f.targets),
        "message": f.message,
        "hint": f.hint,
    }
    if f.reason:
        entry["reason"] = f.reason
    return entry


def format_json(
    findings: list[Finding], targets: int, left_out: list[Finding] | None = None
) -> str:
    return (
        json.dumps(
            {
                "version": 1,
                "findings": [_entry(f) for f in findings],
                "left_out": [_entry(f) for f in left_out or []],
                "summary": {**summary(findings), "targets": targets},
            },
            indent=2,
        )
        + "\n"
    )
