"""`bakegen lint --engine`: BuildKit's own `--call check` joins the report where a real docker
buildx is there; without it the flag says so and exits 2."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.dockerfiles.buildkit_checks import BUILDKIT_RULES
from bakegen.errors import EngineUnavailable
from bakegen.lint.engine import engine_check, find_buildx, without_syntax
from bakegen.lint.findings import Report
from bakegen.lint.linter import Linter
from bakegen.pipeline import compile_path
from tests.dockerfiles.test_buildkit_checks import CASES
from tests.lint.test_lint_contexts import SHARED_DOCKERFILE, SHARED_MATRIX, write

LOCAL_IMAGE = "127.0.0.1:5000/busybox:latest"
# The tests run with a throwaway HOME; buildx finds its builders in the real docker config.
DOCKER_CONFIG = os.environ.get("DOCKER_CONFIG", str(Path("~/.docker").expanduser()))
MATRIX = """\
format: 1
image: {name: app, tags: ["{flavour}"]}
axes:
  flavour:
    values:
      plain: {}
defaults:
  dockerfile: Dockerfile
  uses: {tools: tools}
shared:
  tools:
    axes: [flavour]
    dockerfile: tools.Dockerfile
    stage: tools
"""


def engine_ready() -> bool:
    try:
        find_buildx()
        with urllib.request.urlopen("http://127.0.0.1:5000/v2/busybox/tags/list", timeout=2):
            return True
    except (EngineUnavailable, OSError):
        return False


def test_without_buildx_the_flag_says_so_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "matrix.yaml").write_text(MATRIX.split("  uses:")[0])
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-dir"))
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--engine", "--no-hadolint"])
    assert result.exit_code == 2
    assert "--engine: docker is not installed" in result.stderr


def test_syntax_directive_is_replaced_line_for_line() -> None:
    text = "# syntax=docker/dockerfile:1.10\n# check=skip=all\nFROM a\n"
    assert without_syntax(text) == "# escape=\\\n# check=skip=all\nFROM a\n"
    assert without_syntax("FROM a\n# syntax=x\n") == "FROM a\n# syntax=x\n"


@pytest.mark.skipif(not engine_ready(), reason="no docker buildx with a local registry here")
def test_engine_findings_are_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A target with a `target:` context, which plain `--call check` cannot run; BuildKit's
    MultipleInstructionsDisallowed is not one of bakegen's rules, so it comes from the engine,
    and FromAsCasing (found by both) is reported once."""
    (tmp_path / "matrix.yaml").write_text(MATRIX)
    (tmp_path / "tools.Dockerfile").write_text(f"FROM {LOCAL_IMAGE} AS tools\n")
    dockerfile = (
        "# syntax=docker/dockerfile:1\n"
        f"FROM {LOCAL_IMAGE} as build\n"
        "COPY --from=tools /bin/sh /x\n"
        'CMD ["a"]\nCMD ["b"]\n'
    )
    (tmp_path / "Dockerfile").write_text(dockerfile)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCKER_CONFIG", DOCKER_CONFIG)
    result = CliRunner().invoke(
        main,
        [
            "lint",
            "-m",
            "matrix.yaml",
            "--engine",
            "--engine-base",
            LOCAL_IMAGE,
            "--no-hadolint",
            "--format",
            "json",
        ],
    )
    doc = json.loads(result.stdout)
    rules = [(f["rule"], f["line"]) for f in doc["findings"]]
    assert ("MultipleInstructionsDisallowed", 4) in rules, rules
    assert rules.count(("FromAsCasing", 2)) == 1, rules


# Cases beyond the documented examples: scope, unbuilt stages, the check directive.
MORE = [
    "ARG VERSION=1\nFROM alpine:3.20\nCOPY app-$VERSION /app\n",
    "FROM scratch\nCOPY $foo /x\n",
    "FROM alpine:3.20 AS unused\nENV API_TOKEN=x\nFROM alpine:3.20 AS runtime\n",
    "FROM alpine:3.20 AS base\nWORKDIR /app\nFROM base\nWORKDIR src\nCMD run\n",
    "# syntax=docker/dockerfile:1\n# check=skip=FromAsCasing\nFROM alpine:3.20 as b\nMAINTAINER me\n",
    "# check=skip=all\nFROM alpine:3.20 as b\nMAINTAINER me\n",
    "# note\n# check=skip=all\nFROM alpine:3.20 as b\nMAINTAINER me\n",
    "# check=skip=all\n#\nFROM alpine:3.20 as b\n",
    "FROM alpine:3.20\n# check=skip=MaintainerDeprecated\n#\nMAINTAINER me\n",
    "FROM alpine:3.20\n# check=skip=SecretsUsedInArgOrEnv\nENV API_TOKEN=x\nENV MY_SECRET=y\n",
    "FROM alpine:3.20 AS Build\nFROM build\nCOPY --from=BUILD /a /a\nLABEL a b\n",
    "FROM scratch AS a\nARG X=1\nFROM a\nCOPY $X /x\nENV Y=$Y Z=$Y\nCOPY \\$Q '$R' /q\n",
    "FROM scratch\nENV A=${B:-x} C=${D:+y}\nLABEL k=$A\nUSER $E\nWORKDIR /w\nVOLUME $F\n",
    'FROM alpine:3.20 AS s\nSHELL ["/bin/sh", "-c"]\nFROM s\nCMD run\nENTRYPOINT go\n',
    "ARG API_TOKEN=x\nFROM alpine:3.20\nARG PASSWORD_FILE\nENV auth=1 Auth_Key=2\n",
    "ARG V\nFROM --platform=${TARGETPLATFORM} alpine:3.20${V}\nFROM --platform=$BUILDPLATFORM alpine:${TARGETARCH}\n",
    "ARG BASE=alpine:3.20\nARG EMPTY\nFROM ${BASE}${EMPTY}\nFROM ${EMPTY}\n",
    "FROM alpine:3.20\nCOPY . /src\nADD https://example.com/a /a\nCOPY --from=0 /a /b\n",
    "FROM scratch\nRUN --mount=type=cache,target=/c,id=$ID true\n",
    "FROM scratch\nSTOPSIGNAL ${SIG:-SIGTERM}\n",
    "ARG P=linux/amd64\nFROM --platform=${P} alpine:3.20 AS a\nFROM --platform=$PLAT alpine:3.20\n",
    "FROM scratch\nEXPOSE $PORT\nHEALTHCHECK CMD $CHECK\nCOPY --chown=$OWNER a /a\n",
]


def _ours_and_engines(
    tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[set[object], set[object]]:
    """(target, rule, line) of BuildKit-check findings: bakegen's own, and the real engine's
    (each from its own report, so neither hides the other)."""
    monkeypatch.chdir(tmp)
    monkeypatch.setenv("DOCKER_CONFIG", DOCKER_CONFIG)
    compiled = compile_path(Path("matrix.yaml"))
    linter = Linter(compiled, Path())
    linter.run()
    ours = {
        (t, f.rule, f.line)
        for f in linter.report.findings()
        if f.rule in BUILDKIT_RULES
        for t in f.targets
    }
    engine = Report(compiled)
    engine_check(engine, compiled, Path(), linter.builds, LOCAL_IMAGE)
    theirs = {(t, f.rule, f.line) for f in engine.findings() for t in f.targets}
    return ours, theirs


@pytest.mark.skipif(not engine_ready(), reason="no docker buildx with a local registry here")
def test_bakegen_checks_agree_with_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Dockerfile of the rule tests (BuildKit's documented examples, both ways), as one
    target each: bakegen reports exactly what BuildKit's `--call check` reports."""
    texts = [bad for _, bad, _, _ in CASES] + [g for _, _, _, goods in CASES for g in goods]
    texts += MORE
    values = []
    for index, text in enumerate(texts):
        (tmp_path / f"c{index}.Dockerfile").write_text(text)
        values.append(f"      c{index}: {{dockerfile: c{index}.Dockerfile}}\n")
    ignored = len(texts)
    (tmp_path / f"c{ignored}.Dockerfile").write_text("FROM scratch\nCOPY ./tmp/a.txt /a.txt\n")
    (tmp_path / f"c{ignored}.Dockerfile.dockerignore").write_text("tmp\n")
    values.append(f"      c{ignored}: {{dockerfile: c{ignored}.Dockerfile}}\n")
    matrix = "format: 1\nimage: {name: app, tags: ['{case}']}\naxes:\n  case:\n    values:\n"
    (tmp_path / "matrix.yaml").write_text(matrix + "".join(values))
    ours, theirs = _ours_and_engines(tmp_path, monkeypatch)
    assert ours == theirs
    assert len(ours) >= len(CASES) + 1


@pytest.mark.skipif(not engine_ready(), reason="no docker buildx with a local registry here")
def test_replaced_stages_agree_with_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A named context replacing a stage: the engine does not check the replaced stage's
    instructions either (its ENV API_TOKEN is reported for the base target only)."""
    write(tmp_path, SHARED_MATRIX, {"Dockerfile": SHARED_DOCKERFILE})
    ours, theirs = _ours_and_engines(tmp_path, monkeypatch)
    assert ours == theirs == {("base-plain", "SecretsUsedInArgOrEnv", 3)}


@pytest.mark.skipif(not engine_ready(), reason="no docker buildx with a local registry here")
def test_which_context_replaces_a_stage_agrees_with_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`AS Base` is the stage `base`: a context `base` replaces it (its ENV is not checked), a
    context `Base` does not."""
    image = f"docker-image://{LOCAL_IMAGE}"
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{key}']}\naxes:\n  key:\n    values:\n"
        f"      lower: {{contexts: {{base: '{image}'}}}}\n"
        f"      upper: {{contexts: {{Base: '{image}'}}}}\n"
        "defaults:\n  dockerfile: Dockerfile\n  stage: runtime\n"
    )
    (tmp_path / "matrix.yaml").write_text(matrix)
    dockerfile = f"FROM {LOCAL_IMAGE} AS Base\nENV API_TOKEN=x\nFROM base AS runtime\nRUN true\n"
    (tmp_path / "Dockerfile").write_text(dockerfile)
    ours, theirs = _ours_and_engines(tmp_path, monkeypatch)
    assert ours == theirs
    assert ("upper", "SecretsUsedInArgOrEnv", 2) in ours
    assert ("lower", "SecretsUsedInArgOrEnv", 2) not in ours
