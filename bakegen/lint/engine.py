"""`bakegen lint --engine`: BuildKit's own `--call check` on every target, merged into the report.

`docker buildx bake --call check` cannot run a target whose named contexts are other targets
("unsupported context source target"), which is how bakegen wires shared stages. So the bake
file is printed by bake itself, each `target:` context is replaced by an empty image
(`docker-image://scratch`: the check needs the context to exist, not its files), and
optionally every base image by one image that is there (`--engine-base`), for machines that
cannot pull the real ones. The findings BuildKit reports that bakegen did not are added.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bakegen.errors import EngineUnavailable
from bakegen.lint.findings import Finding, Report
from bakegen.lint.matrix_rules import TargetBuild
from bakegen.pipeline import Compiled

EMPTY_IMAGE = "docker-image://scratch"


def find_buildx() -> str:
    """The docker binary, when it has a working buildx; raises EngineUnavailable otherwise."""
    docker = shutil.which("docker")
    if docker is None:
        raise EngineUnavailable("docker is not installed")
    done = subprocess.run(
        [docker, "buildx", "version"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise EngineUnavailable(f"docker buildx is not available: {done.stderr.strip()[:200]}")
    return docker


def _bake(docker: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [docker, "buildx", "bake", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


_SYNTAX = re.compile(r"^#\s*syntax\s*=.*$", re.IGNORECASE)


def without_syntax(text: str) -> str:
    """The Dockerfile with a `# syntax=` directive written as the default `# escape=\\`, so the
    daemon's own frontend reads it (no frontend image to pull) and every line keeps its number."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if _SYNTAX.match(line) and not any(re.match(r"#\s*escape", x) for x in lines[:8]):
            lines[index] = "# escape=\\"
            break
    return "\n".join(lines)


def checkable(
    printed: dict[str, Any], builds: list[TargetBuild], base: str | None, tmp: Path
) -> None:
    """Replace `target:` contexts in bake's printed JSON; with `base` (an offline machine),
    also every base image, and read each Dockerfile without its `# syntax=` frontend."""
    by_name = {tb.target.name: tb for tb in builds}
    copies: dict[Path, Path] = {}
    for name, target in printed.get("target", {}).items():
        contexts = target.setdefault("contexts", {})
        for key, value in list(contexts.items()):
            if str(value).startswith("target:"):
                contexts[key] = EMPTY_IMAGE
        tb = by_name.get(name)
        if base and tb is not None:
            for edge in tb.build.edges:
                if edge.kind == "image" and edge.name:
                    contexts.setdefault(edge.name, f"docker-image://{base}")
            source = tb.info.path.resolve()
            if source not in copies:
                copies[source] = tmp / f"{len(copies)}-{source.name}"
                text = source.read_text(encoding="utf-8", errors="replace")
                copies[source].write_text(without_syntax(text), encoding="utf-8")
                own_ignore = source.with_name(f"{source.name}.dockerignore")
                if own_ignore.is_file():  # BuildKit reads it beside the Dockerfile
                    shutil.copyfile(own_ignore, tmp / f"{copies[source].name}.dockerignore")
            target["dockerfile"] = str(copies[source])


def engine_check(
    report: Report, compiled: Compiled, root: Path, builds: list[TargetBuild], base: str | None
) -> None:
    """Run `--call check` on every target bakegen could read, and add what only it found."""
    docker = find_buildx()
    names = [tb.target.name for tb in builds]
    if not names:
        return
    with tempfile.TemporaryDirectory(prefix="bakegen-engine-") as tmp:
        rendered = Path(tmp) / "docker-bake.json"
        rendered.write_text(compiled.text("json"), encoding="utf-8")
        printed = _bake(docker, root, "-f", str(rendered), "--print", *names)
        if printed.returncode != 0:
            raise EngineUnavailable(f"bake --print failed: {printed.stderr.strip()[-300:]}")
        definition = json.loads(printed.stdout)
        checkable(definition, builds, base, Path(tmp))
        ready = Path(tmp) / "checkable.json"
        ready.write_text(json.dumps(definition), encoding="utf-8")
        check = (f"--allow=fs.read={tmp}", "-f", str(ready), "--call", "check,format=json")
        # All targets in one bake call (BuildKit checks them in parallel); a target that call
        # did not answer for (one failure stops bake) is checked alone, to get its own error.
        together = _checks(_bake(docker, root, *check, *names))
        answers: list[tuple[str, list[dict[str, Any]] | None, Any]] = []
        for name in names:
            done = None if name in together else _bake(docker, root, *check, name)
            found = together.get(name) if done is None else _checks(done).get(name)
            answers.append((name, found, done))
        if all(found is None for _, found, _ in answers):
            # Not one target checked: no builder answered (no daemon, a builder that is
            # gone), and a lint that checked nothing must not pass.
            last = answers[-1][2]
            error = last.stderr.strip()[-300:] if last is not None else "no answer"
            raise EngineUnavailable(
                f"no BuildKit builder answered `docker buildx bake --call check`: {error}"
            )
        for name, found, done in answers:
            _merge(report, name, builds, found, done)


def _checks(done: subprocess.CompletedProcess[str]) -> dict[str, list[dict[str, Any]]]:
    """Target → BuildKit's warnings, for each target the printed result has checks for."""
    try:
        targets = json.loads(done.stdout)["target"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return {}
    out = {}
    for name, entry in targets.items():
        check = entry.get("check") if isinstance(entry, dict) else None
        if isinstance(check, dict):
            out[name] = check.get("warnings") or []
    return out


def _merge(
    report: Report,
    name: str,
    builds: list[TargetBuild],
    warnings: list[dict[str, Any]] | None,
    done: subprocess.CompletedProcess[str] | None,
) -> None:
    tb = next(tb for tb in builds if tb.target.name == name)
    path = str(Path(tb.target.dockerfile_path()))
    if warnings is None:
        error = done.stderr.strip()[-300:] if done is not None else "no answer"
        report.add(
            Finding(
                severity="warning",
                rule="engine",
                file=path,
                line=None,
                message=f"BuildKit could not check the target: {error}",
                hint="--engine-base IMAGE stands in for base images this machine cannot pull",
                targets=(name,),
            )
        )
        return
    have = {(f.file, f.line, f.rule) for f in report.found.values() if name in f.targets}
    for item in warnings:
        ranges = item.get("location", {}).get("ranges", [{}])
        line = ranges[0].get("start", {}).get("line") if ranges else None
        rule = str(item.get("ruleName", "engine"))
        if (path, line, rule) in have:
            continue
        report.add(
            Finding(
                severity="warning",
                rule=rule,
                file=path,
                line=line,
                message=f"(reported by BuildKit) {item.get('detail', '')}",
                hint=item.get("url"),
                targets=(name,),
            )
        )
