"""hadolint's findings, corrected by what bakegen knows and hadolint cannot: the named contexts
each target provides, and what BuildKit's parser reads.

- DL3006/DL3007/DL3022 on a name that is a named context of the target (`FROM dynamo_base`,
  `COPY --from=wheel_builder`) are left out for that target: BuildKit uses the context.
- hadolint cannot parse a registry with a port (`FROM localhost:5000/img:1`, DL1000); such a
  file is linted again from a copy with the port written `localhost-5000`, same lines.
- No hadolint finding is an error: everything it reports, BuildKit builds.
Each finding left out or downgraded carries its reason (shown by `--format json`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bakegen.dockerfiles.imagerefs import familiar, has_port_registry, is_valid
from bakegen.lint.findings import Finding, Report, Severity
from bakegen.lint.matrix_rules import TargetBuild
from bakegen.lint.stage_labels import stage_label

# hadolint rules about the image a FROM or COPY --from line names.
NAME_RULES = frozenset({"DL3006", "DL3007", "DL3022"})
_PORT = re.compile(r"(?<=[\s=])([A-Za-z0-9.-]+):([0-9]+)/")


def find_hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() else shutil.which("hadolint")


class HadolintRun:
    """hadolint over some files, started at once in the background (it takes longer than the
    rest of lint, which runs meanwhile), one process per file: its cost is per file (mostly
    the shell scripts of RUN), so the system spreads the files over the cores."""

    def __init__(self, binary: str, files: Sequence[Path]) -> None:
        self.processes = [
            subprocess.Popen(
                [binary, "--no-color", "--format", "json", str(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for path in files
        ]

    def results(self) -> list[dict[str, object]] | str:
        """Every finding (dicts as hadolint writes them), or why hadolint failed."""
        found: list[dict[str, object]] = []
        for process in self.processes:
            out, err = process.communicate()
            try:
                items = json.loads(out or "[]")
            except json.JSONDecodeError:
                return err.strip()[:200] or "no output"
            found += [item for item in items if isinstance(item, dict)]
        return found


def _names_on_line(tb: TargetBuild, line: int) -> list[str]:
    return [
        use.ref for stage in tb.info.stages for use in (stage.base, *stage.uses) if use.line == line
    ]


def _disproved(tb: TargetBuild, line: int) -> str | None:
    """Why a hadolint finding about the name on `line` does not hold for this target."""
    for edge in tb.build.edges:
        if edge.use.line != line:
            continue
        if edge.kind == "context":
            return f"{edge.name} is a named context the target provides; BuildKit uses it"
        if edge.kind == "stage" and edge.other is not None:
            return f"for this target {edge.use.ref} is {stage_label(edge.other)}"
    holder = next((s for s in reversed(tb.info.stages) if s.line <= line), None)
    if holder is not None and holder not in tb.build.stages:
        replaced = next((n for n, s in tb.build.replaced.items() if s is holder), None)
        if replaced is not None:
            return f"the named context {replaced} replaces the stage holding this line"
        return "the target does not build the stage holding this line"
    provided = {name for name, _ in tb.target.contexts}
    for ref in _names_on_line(tb, line):
        for name in (ref, ref.lower(), familiar(ref) if is_valid(ref) else ref):
            if name in provided:
                return f"{name} is a named context the target provides; BuildKit uses it"
    return None


def _hidden_ports(paths: list[Path], workdir: Path) -> dict[Path, Path]:
    """Copies of the files with `host:port/` written `host-port/` (line numbers kept)."""
    copies = {}
    for index, path in enumerate(paths):
        text = path.read_text(encoding="utf-8", errors="replace")
        copy = workdir / f"{index}-{path.name}"
        copy.write_text(_PORT.sub(r"\1-\2/", text), encoding="utf-8")
        copies[copy] = path
    return copies


def hadolint(
    report: Report,
    run: HadolintRun,
    binary: str,
    root: Path,
    users: dict[Path, list[TargetBuild]],
) -> None:
    """Add the findings of a hadolint run over the Dockerfiles the targets build."""
    by_file = {str(root / p): p for p in users}
    found = run.results()
    if isinstance(found, str):
        report.add(
            Finding(
                severity="warning",
                rule="hadolint",
                file=binary,
                line=None,
                message=f"hadolint failed: {found}",
            )
        )
        return
    unreadable = [
        by_file[str(item.get("file"))]
        for item in found
        if item.get("code") == "DL1000" and str(item.get("file")) in by_file
    ]
    with_port = [
        p
        for p in unreadable
        if any(
            has_port_registry(u.ref)
            for tb in users[p][:1]
            for s in tb.info.stages
            for u in (s.base, *s.uses)
        )
    ]
    if with_port:
        with tempfile.TemporaryDirectory(prefix="bakegen-hadolint-") as tmp:
            copies = _hidden_ports([root / p for p in with_port], Path(tmp))
            again = HadolintRun(binary, list(copies)).results()
            if not isinstance(again, str):
                for item in again:
                    original = copies.get(Path(str(item.get("file"))))
                    if original is not None:
                        item["file"] = str(original)
                        found.append(item)
    for item in found:
        path = by_file.get(str(item.get("file")))
        if path is None:
            continue
        _one(report, item, path, users[path], retried=path in with_port)


def _one(
    report: Report, item: dict[str, object], path: Path, users: list[TargetBuild], retried: bool
) -> None:
    code = str(item.get("code", "?"))
    line = item.get("line")
    line = line if isinstance(line, int) else None
    level = str(item.get("level", ""))
    severity: Severity = "warning" if level in ("error", "warning") else "info"
    finding = Finding(
        severity=severity,
        rule=f"hadolint/{code}",
        file=str(path),
        line=line,
        message=str(item.get("message", "")).replace("\n", " "),
        hint=f"https://github.com/hadolint/hadolint/wiki/{code}",
        targets=tuple(tb.target.name for tb in users),
        reason="hadolint calls it an error, but BuildKit builds it" if level == "error" else None,
    )
    if code == "DL1000":
        if retried:
            reason = (
                "hadolint cannot parse an image on a registry with a port; BuildKit can, "
                "and hadolint linted a copy with the port hidden"
            )
            report.leave_out(replace(finding, reason=reason))
        else:
            reason = "hadolint cannot parse the file, but BuildKit's parser reads it"
            report.add(replace(finding, severity="info", reason=reason))
        return
    if code in NAME_RULES and line is not None:
        kept: list[str] = []
        dropped: dict[str, list[str]] = {}
        for tb in users:
            why = _disproved(tb, line)
            if why is None:
                kept.append(tb.target.name)
            else:
                dropped.setdefault(why, []).append(tb.target.name)
        for why, names in dropped.items():
            report.leave_out(replace(finding, targets=tuple(names), reason=why))
        if kept:
            report.add(replace(finding, targets=tuple(kept)))
        return
    report.add(finding)
