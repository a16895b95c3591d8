"""`bakegen lint` output: text for people, stable JSON for CI annotations."""

from __future__ import annotations

import json

from bakegen.lint import Finding


def summary(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}


def format_text(findings: list[Finding], targets: int) -> str:
    lines = []
    for f in findings:
        where = f"{f.file}:{f.line}" if f.line else f.file
        lines.append(f"{where}: {f.severity} [{f.rule}] {f.message}")
        if f.targets:
            more = f" (and {len(f.targets) - 1} more)" if len(f.targets) > 1 else ""
            lines.append(f"    target: {f.targets[0]}{more}")
        if f.hint:
            lines.append(f"    hint: {f.hint}")
    counts = summary(findings)
    lines.append(
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} "
        f"infos in {targets} targets"
    )
    return "\n".join(lines) + "\n"


def format_json(findings: list[Finding], targets: int) -> str:
    return (
        json.dumps(
            {
                "version": 1,
                "findings": [
                    {
                        "severity": f.severity,
                        "rule": f.rule,
                        "file": f.file,
                        "line": f.line,
                        "target": f.target,
                        "targets": list(f.targets),
                        "message": f.message,
                        "hint": f.hint,
                    }
                    for f in findings
                ],
                "summary": {**summary(findings), "targets": targets},
            },
            indent=2,
        )
        + "\n"
    )
