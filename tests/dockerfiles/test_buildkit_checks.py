"""BuildKit's Dockerfile checks, each with a Dockerfile that triggers it and one that does not
(the examples follow BuildKit's documentation of each rule), and the `# check=` directive."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.dockerfiles.buildkit_checks import BUILDKIT_RULES
from bakegen.lint.linter import lint
from bakegen.pipeline import compile_path

MATRIX = """\
format: 1
image: {{name: app, tags: ["{{flavour}}"]}}
axes:
  flavour:
    values:
      plain: {{}}
defaults:
  dockerfile: Dockerfile
{extra}"""


def hits(
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    dockerfile: str,
    extra: str = "",
    files: dict[str, str] | None = None,
) -> list[tuple[str, int | None]]:
    """(rule, line) of every BuildKit-check finding for a one-target matrix."""
    (tmp / "Dockerfile").write_text(dockerfile)
    (tmp / "matrix.yaml").write_text(MATRIX.format(extra=extra))
    for name, text in (files or {}).items():
        (tmp / name).write_text(text)
    monkeypatch.chdir(tmp)
    found = lint(compile_path(Path("matrix.yaml")))
    return [(f.rule, f.line) for f in found if f.rule in BUILDKIT_RULES]


# rule, a Dockerfile that triggers it (at the line given), Dockerfiles that do not
CASES: list[tuple[str, str, int, list[str]]] = [
    (
        "SecretsUsedInArgOrEnv",
        "FROM alpine:3.20\nARG AWS_ACCESS_KEY_ID\nARG AWS_SECRET_ACCESS_KEY\n",
        2,
        [
            "FROM alpine:3.20\nRUN --mount=type=secret,id=aws_key_id,env=AWS_ACCESS_KEY_ID "
            "aws s3 cp s3://my-bucket/file .\n",
            "FROM alpine:3.20\nENV PUBLIC_KEY=x KEY_FILE=/k TOKEN_VERSION=2\n",
        ],
    ),
    (
        "UndefinedVar",
        "FROM alpine:3.20\nENV PATH=$PAHT:/app/bin\n",
        2,
        [
            "FROM alpine:3.20 AS base\nARG foo\nCOPY $foo .\n",
            # RUN in shell form: the shell expands it, BuildKit does not check
            "FROM scratch\nRUN echo $foo\n",
        ],
    ),
    (
        "UndefinedArgInFrom",
        "FROM node:22${VARIANT} AS jsbuilder\n",
        1,
        ['ARG VARIANT="-alpine3.20"\nFROM node:22${VARIANT} AS jsbuilder\n'],
    ),
    (
        "InvalidDefaultArgInFrom",
        "ARG TAG\nFROM busybox:${TAG}\n",
        2,
        [
            "ARG TAG=1.36\nFROM busybox:${TAG}\n",
            "ARG VARIANT\nFROM busybox:stable${VARIANT}\n",
            "ARG TAG\nFROM alpine:${TAG:-3.14}\n",
        ],
    ),
    (
        "FromAsCasing",
        "FROM debian:12 as builder\n",
        1,
        ["FROM debian:12 AS deb-builder\n", "from debian:12 as deb-builder\n"],
    ),
    (
        "StageNameCasing",
        "FROM alpine:3.20 AS BuilderBase\n",
        1,
        ["FROM alpine:3.20 AS builder-base\n"],
    ),
    (
        "DuplicateStageName",
        "FROM debian:12 AS builder\nRUN true\nFROM golang:1.23 AS builder\n",
        3,
        ["FROM debian:12 AS deb-builder\nRUN true\nFROM golang:1.23 AS go-builder\n"],
    ),
    (
        "ReservedStageName",
        "FROM alpine:3.20 AS scratch\nFROM alpine:3.20 AS final\n",
        1,
        ["FROM alpine:3.20 AS builder\n"],
    ),
    (
        "JSONArgsRecommended",
        "FROM alpine:3.20\nENTRYPOINT my-program start\n",
        2,
        [
            'FROM alpine:3.20\nENTRYPOINT ["my-program", "start"]\n',
            'FROM alpine:3.20\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT echo "hello world"\n',
        ],
    ),
    (
        "WorkdirRelativePath",
        "FROM nginx:1.27 AS web\nWORKDIR usr/share/nginx/html\n",
        2,
        [
            "FROM nginx:1.27 AS web\nWORKDIR /usr/share/nginx/html\n",
            "FROM nginx:1.27 AS base\nWORKDIR /app\nFROM base\nWORKDIR src\n",
        ],
    ),
    (
        "MaintainerDeprecated",
        "FROM alpine:3.20\nMAINTAINER moby@example.com\n",
        2,
        ['FROM alpine:3.20\nLABEL org.opencontainers.image.authors="moby@example.com"\n'],
    ),
    (
        "LegacyKeyValueFormat",
        "FROM alpine:3.20\nENV DEPS \\\n    curl \\\n    git\n",
        2,
        ["FROM alpine:3.20\nENV foo=bar\nLABEL a=b\n", "FROM alpine:3.20\nARG foo bar\n"],
    ),
    (
        "ConsistentInstructionCasing",
        'FROM alpine:3.20\nRUN echo hello > /greeting.txt\nEntRYpOiNT ["cat", "/greeting.txt"]\n',
        3,
        [
            'from alpine:3.20\nrun echo hello > /greeting.txt\nentrypoint ["cat", "/g"]\n',
        ],
    ),
    (
        "RedundantTargetPlatform",
        "FROM --platform=$TARGETPLATFORM alpine:3.20 AS builder\n",
        1,
        ["FROM alpine:3.20 AS builder\n", "FROM --platform=$BUILDPLATFORM alpine:3.20\n"],
    ),
]


@pytest.mark.parametrize(("rule", "bad", "line", "goods"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_the_bad_dockerfile_only(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rule: str,
    bad: str,
    line: int,
    goods: list[str],
) -> None:
    assert (rule, line) in hits(tmp_path, monkeypatch, bad)
    for good in goods:
        assert rule not in {r for r, _ in hits(tmp_path, monkeypatch, good)}, good


def test_every_listed_rule_has_a_case() -> None:
    assert {c[0] for c in CASES} | {"CopyIgnoredFile"} == set(BUILDKIT_RULES)


def test_copy_ignored_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {".dockerignore": "tmp\n"}
    bad = "FROM scratch\nCOPY ./tmp/helloworld.txt /helloworld.txt\n"
    good = "FROM scratch\nCOPY ./forever/helloworld.txt /helloworld.txt\n"
    assert hits(tmp_path, monkeypatch, bad, files=files) == [("CopyIgnoredFile", 2)]
    assert hits(tmp_path, monkeypatch, good, files=files) == []
    # With a `!` rule BuildKit does not check (a re-included file may sit under an ignored one).
    assert hits(tmp_path, monkeypatch, bad, files={".dockerignore": "tmp\n!tmp/keep\n"}) == []


def test_undefined_var_cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # From scratch nothing else can define it.
    assert hits(tmp_path, monkeypatch, "FROM scratch\nCOPY $foo /x\n") == [("UndefinedVar", 2)]
    # A global ARG not redeclared in the stage is not in scope.
    dockerfile = "ARG VERSION=1\nFROM alpine:3.20\nCOPY app-$VERSION /app\n"
    assert hits(tmp_path, monkeypatch, dockerfile) == [("UndefinedVar", 3)]
    # An unknown name on an image may come from the image's environment: not reported.
    assert hits(tmp_path, monkeypatch, "FROM python:3.12\nARG V=$PYTHON_VERSION\n") == []


def test_only_the_stages_the_target_builds_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dockerfile = "FROM alpine:3.20 AS unused\nENV API_TOKEN=x\nFROM alpine:3.20 AS runtime\n"
    assert hits(tmp_path, monkeypatch, dockerfile, "  stage: runtime\n") == []
    assert hits(tmp_path, monkeypatch, dockerfile, "  stage: unused\n") == [
        ("SecretsUsedInArgOrEnv", 2)
    ]
    # A target naming no stage is checked like `--call check` without a target: every stage.
    assert hits(tmp_path, monkeypatch, dockerfile) == [("SecretsUsedInArgOrEnv", 2)]


BAD = "# syntax=docker/dockerfile:1\n{directive}FROM alpine:3.20 as build\nMAINTAINER me\n"


@pytest.mark.parametrize(
    ("directive", "expected"),
    [
        ("", [("FromAsCasing", 2), ("MaintainerDeprecated", 3)]),
        ("# check=skip=FromAsCasing\n", [("MaintainerDeprecated", 4)]),
        ("# check=skip=FromAsCasing,MaintainerDeprecated\n", []),
        ("# check=skip=all\n", []),
    ],
)
def test_check_directive_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, directive: str, expected: list[object]
) -> None:
    assert hits(tmp_path, monkeypatch, BAD.format(directive=directive)) == expected


def test_check_directive_counts_only_at_the_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an ordinary comment `# check=` is no file directive any more, only a comment on
    the next instruction (as BuildKit reads it): MAINTAINER is still checked."""
    dockerfile = "# a comment first\n# check=skip=all\nFROM alpine:3.20 as build\nMAINTAINER me\n"
    assert hits(tmp_path, monkeypatch, dockerfile) == [("MaintainerDeprecated", 4)]


def test_check_comment_above_an_instruction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dockerfile = (
        "FROM alpine:3.20\n# check=skip=SecretsUsedInArgOrEnv\nENV API_TOKEN=x\nENV MY_SECRET=y\n"
    )
    assert hits(tmp_path, monkeypatch, dockerfile) == [("SecretsUsedInArgOrEnv", 4)]


def test_check_error_true_fails_lint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hits(tmp_path, monkeypatch, "# check=error=true\nFROM alpine:3.20 as build\n")
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--no-hadolint"])
    assert result.exit_code == 1
    assert "error [FromAsCasing]" in result.stdout
    hits(tmp_path, monkeypatch, "FROM alpine:3.20 as build\n")
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--no-hadolint"])
    assert result.exit_code == 0
    assert "warning [FromAsCasing]" in result.stdout


def test_check_build_arg_overrides_the_directive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = "  args: {BUILDKIT_DOCKERFILE_CHECK: skip=FromAsCasing}\n"
    assert hits(tmp_path, monkeypatch, "FROM alpine:3.20 as build\n", extra) == []


def test_bad_check_directive_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text("# check=nonsense\nFROM alpine:3.20\n")
    (tmp_path / "matrix.yaml").write_text(MATRIX.format(extra=""))
    monkeypatch.chdir(tmp_path)
    found = lint(compile_path(Path("matrix.yaml")))
    assert [(f.severity, f.rule, f.line) for f in found] == [("error", "dockerfile-invalid", 1)]


def test_secret_in_env_as_the_engine_reported_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What BuildKit reported on the project's base.Dockerfile before it moved
    SCCACHE_S3_KEY_PREFIX into the RUNs that use it: `_KEY_` reads as a secret."""
    dockerfile = (
        "FROM alpine:3.20 AS wheel_builder\nARG ARCH=amd64\n"
        "ENV SCCACHE_BUCKET=b \\\n    SCCACHE_S3_KEY_PREFIX=${ARCH}\n"
    )
    assert hits(tmp_path, monkeypatch, dockerfile) == [("SecretsUsedInArgOrEnv", 3)]
