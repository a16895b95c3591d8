"""`bakegen lint` sees each target as BuildKit builds it: named contexts replace stages, args
meant for other targets are infos, hadolint's findings are checked against the contexts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.lint.hadolint import find_hadolint
from bakegen.lint.linter import lint, lint_report
from bakegen.pipeline import compile_path

# A shared `wheel-builder` built FROM the Dockerfile's `base` stage, with `uses: {base: base}`:
# BuildKit replaces the stage `base` by the `base` target's image, so the Dockerfile's own
# `base` instructions (a required secret, an ARG) never run for wheel-builder.
SHARED_MATRIX = """\
format: 1
image: {name: app, tags: ["{flavour}"]}
axes:
  flavour:
    values:
      plain: {}
defaults:
  dockerfile: Dockerfile
  stage: runtime
  uses: {wheel_builder: wheel-builder}
shared:
  base:
    axes: [flavour]
    dockerfile: Dockerfile
    stage: base
    secrets: [{id: base-secret, env: BASE_SECRET}]
    args: {ONLY_IN_BASE: "1"}
  wheel-builder:
    axes: [flavour]
    dockerfile: Dockerfile
    stage: wheel_builder
    uses: {base: base}
    args: {ONLY_IN_BASE: "1"}
"""
SHARED_DOCKERFILE = """\
FROM alpine:3.20 AS base
ARG ONLY_IN_BASE
ENV API_TOKEN=unset
RUN --mount=type=secret,id=base-secret,required=true echo "$ONLY_IN_BASE"
FROM base AS wheel_builder
RUN echo build > /w
FROM alpine:3.20 AS runtime
COPY --from=wheel_builder /w /w
"""


def write(tmp: Path, matrix: str, files: dict[str, str]) -> None:
    (tmp / "matrix.yaml").write_text(matrix)
    for name, text in files.items():
        (tmp / name).write_text(text)


def rows(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str, tuple[str, ...]]]:
    monkeypatch.chdir(tmp)
    found = lint(compile_path(Path("matrix.yaml")))
    return [(f.severity, f.rule, f"{f.file}:{f.line}", f.targets) for f in found]


def test_a_context_named_like_a_stage_replaces_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, SHARED_MATRIX, {"Dockerfile": SHARED_DOCKERFILE})
    # No context-unused for `base`, no secret-missing from the replaced stage, and the arg read
    # only there is reported (as meant for the base target, which reads it).
    assert rows(tmp_path, monkeypatch) == [
        ("warning", "SecretsUsedInArgOrEnv", "Dockerfile:3", ("base-plain",)),
        ("info", "arg-unused", "matrix.yaml:23", ("wheel-builder-plain",)),
    ]


def test_the_replaced_stage_is_checked_where_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the `base` context, wheel-builder builds the Dockerfile's `base` stage itself."""
    matrix = SHARED_MATRIX.replace("    uses: {base: base}\n", "")
    write(tmp_path, matrix, {"Dockerfile": SHARED_DOCKERFILE})
    found = rows(tmp_path, monkeypatch)
    assert ("error", "secret-missing", "Dockerfile:4", ("wheel-builder-plain",)) in found
    assert ("warning", "SecretsUsedInArgOrEnv", "Dockerfile:3", ("wheel-builder-plain",)) in found


def test_a_context_replaces_the_target_stage_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = SHARED_MATRIX.replace("uses: {base: base}", "uses: {wheel_builder: base}")
    write(tmp_path, matrix, {"Dockerfile": SHARED_DOCKERFILE})
    monkeypatch.chdir(tmp_path)
    report = lint_report(compile_path(Path("matrix.yaml")))
    for finding in report.findings():
        # The whole wheel-builder build is the context: nothing of the file runs, nothing unused.
        assert finding.rule != "context-unused", finding


def test_stage_names_are_matched_as_buildkit_matches_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`AS Base` is the stage `base`; `COPY --from=BASE` finds it; a context `base` replaces it."""
    dockerfile = SHARED_DOCKERFILE.replace("AS base", "AS Base").replace(
        "FROM base AS", "FROM base AS"
    )
    write(tmp_path, SHARED_MATRIX, {"Dockerfile": dockerfile})
    found = rows(tmp_path, monkeypatch)
    assert [r for r in found if r[1] in ("context-unused", "secret-missing")] == []


def test_image_reference_contexts_use_the_short_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`FROM docker.io/library/alpine:latest` reads a context named `alpine`."""
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}']}\naxes:\n  flavour:\n    values:\n"
        "      plain: {}\ndefaults:\n  dockerfile: Dockerfile\n  contexts: {alpine: ./a}\n"
    )
    write(tmp_path, matrix, {"Dockerfile": "FROM docker.io/library/alpine:latest\nRUN true\n"})
    assert rows(tmp_path, monkeypatch) == []


def test_an_axis_arg_meant_for_other_dockerfiles_is_info(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}-{target}']}\naxes:\n"
        "  flavour:\n    values:\n      fast: {args: {MODE: fast}}\n"
        "  target:\n    values:\n"
        "      a: {dockerfile: a.Dockerfile}\n      b: {dockerfile: b.Dockerfile}\n"
        "      c: {dockerfile: c.Dockerfile}\n"
    )
    files = {
        "a.Dockerfile": "FROM alpine:3.20\nARG MODE\nRUN echo $MODE\n",
        "b.Dockerfile": "FROM alpine:3.20\nRUN true\n",
        "c.Dockerfile": "FROM alpine:3.20\nRUN true\n",
    }
    write(tmp_path, matrix, files)
    assert rows(tmp_path, monkeypatch) == [
        ("info", "arg-undeclared", "matrix.yaml:6", ("fast-b",)),
        ("info", "arg-undeclared", "matrix.yaml:6", ("fast-c",)),
    ]
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--no-hadolint"]).exit_code == 0


def test_an_arg_nobody_reads_is_a_warning_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}']}\naxes:\n  flavour:\n    values:\n"
        "      plain: {args: {NOBODY: x}}\ndefaults:\n  dockerfile: Dockerfile\n"
    )
    write(tmp_path, matrix, {"Dockerfile": "FROM alpine:3.20\nRUN true\n"})
    assert rows(tmp_path, monkeypatch) == [
        ("warning", "arg-undeclared", "matrix.yaml:6", ("plain",)),
    ]


needs_hadolint = pytest.mark.skipif(find_hadolint() is None, reason="hadolint is not installed")


@needs_hadolint
def test_hadolint_findings_on_provided_contexts_are_left_out_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}']}\naxes:\n  flavour:\n    values:\n"
        "      plain: {}\ndefaults:\n  dockerfile: Dockerfile\n"
        "  contexts: {dynamo_base: ./b, wheel_builder: ./w}\n"
    )
    dockerfile = "FROM dynamo_base\nCOPY --from=wheel_builder /w /w\nRUN cd /tmp && true\n"
    write(tmp_path, matrix, {"Dockerfile": dockerfile})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", "--format", "json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 0
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("hadolint/DL3003", 3)]
    assert [(f["rule"], f["line"], f["reason"]) for f in doc["left_out"]] == [
        (
            "hadolint/DL3006",
            1,
            "dynamo_base is a named context the target provides; BuildKit uses it",
        ),
        (
            "hadolint/DL3022",
            2,
            "wheel_builder is a named context the target provides; BuildKit uses it",
        ),
    ]


@needs_hadolint
def test_hadolint_still_reports_the_name_for_a_target_without_the_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}']}\naxes:\n  flavour:\n    values:\n"
        "      given: {contexts: {tools: ./t}}\n      missing: {}\n"
        "defaults:\n  dockerfile: Dockerfile\n"
    )
    write(tmp_path, matrix, {"Dockerfile": "FROM alpine:3.20\nCOPY --from=tools /t /t\n"})
    monkeypatch.chdir(tmp_path)
    report = lint_report(compile_path(Path("matrix.yaml")), Path(), find_hadolint())
    kept = [(f.rule, f.targets) for f in report.findings() if f.rule.startswith("hadolint")]
    left = [(f.rule, f.targets) for f in report.suppressed()]
    assert kept == [("hadolint/DL3022", ("missing",))]
    assert left == [("hadolint/DL3022", ("given",))]


@needs_hadolint
def test_a_registry_with_a_port_is_no_hadolint_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hadolint cannot parse `FROM localhost:5000/img:1` (DL1000); BuildKit can. The rest of
    the file is still linted by hadolint."""
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}']}\naxes:\n  flavour:\n    values:\n"
        "      plain: {}\ndefaults:\n  dockerfile: Dockerfile\n"
    )
    write(tmp_path, matrix, {"Dockerfile": "FROM localhost:5000/img:1\nRUN cd /tmp && true\n"})
    monkeypatch.chdir(tmp_path)
    report = lint_report(compile_path(Path("matrix.yaml")), Path(), find_hadolint())
    assert [(f.severity, f.rule, f.line) for f in report.findings()] == [
        ("warning", "hadolint/DL3003", 2)
    ]
    (dl1000,) = report.suppressed()
    assert dl1000.rule == "hadolint/DL1000"
    assert dl1000.reason is not None
    assert "registry with a port" in dl1000.reason


def test_a_context_other_targets_provide_is_an_error_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`FROM tools` where sibling targets provide `tools`: this one forgot it (bake would pull
    docker.io/library/tools, which is not there). A bare name nobody provides may be a Docker
    Hub image BuildKit pulls fine: a warning."""
    matrix = (
        "format: 1\nimage: {name: app, tags: ['{flavour}']}\naxes:\n  flavour:\n    values:\n"
        "      given: {contexts: {tools: ./t}}\n      missing: {}\n"
        "defaults:\n  dockerfile: Dockerfile\n"
    )
    write(tmp_path, matrix, {"Dockerfile": "FROM ubuntu\nCOPY --link --from=tools /t /t\n"})
    assert rows(tmp_path, monkeypatch) == [
        ("warning", "context-missing", "Dockerfile:1", ("given", "missing")),
        ("error", "context-missing", "Dockerfile:2", ("missing",)),
    ]


# Ollama's layout: a global default that reads the platform picks the stage a FROM names,
# and those per-platform stages read contexts that shared targets provide.
FLAVOR_MATRIX = """\
format: 1
image: {name: app, tags: ["{p}"]}
axes:
  p:
    values:
      amd: {platforms: [linux/amd64]}
      both: {platforms: [linux/amd64, linux/arm64]}
defaults:
  dockerfile: Dockerfile
  stage: archive
  uses: {cuda: cuda, cpu: cpu}
shared:
  cuda: {axes: [p], dockerfile: Dockerfile, stage: build}
  cpu: {axes: [p], dockerfile: Dockerfile, stage: build}
"""
FLAVOR_DOCKERFILE = """\
ARG FLAVOR=${TARGETARCH}
FROM alpine:3.20 AS build
RUN echo build > /lib
FROM scratch AS amd64
COPY --from=cuda /lib /cuda
FROM scratch AS arm64
COPY --from=cpu /lib /cpu
FROM ${FLAVOR} AS archive
COPY --from=cpu /lib /cpu
"""


def test_global_default_reading_a_platform_arg_is_expanded_per_platform(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, FLAVOR_MATRIX, {"Dockerfile": FLAVOR_DOCKERFILE})
    found = rows(tmp_path, monkeypatch)
    # FROM ${FLAVOR} is the stage amd64 (and arm64 for the second platform): no image
    # `${TARGETARCH}` is missing, and `cuda`, read by the amd64 stage, is used.
    assert [r for r in found if r[1] in ("context-missing", "context-unused")] == []
    # On arm64 alone, `cuda` is never read.
    write(tmp_path, FLAVOR_MATRIX.replace("[linux/amd64, linux/arm64]", "[linux/arm64]"), {})
    found = rows(tmp_path, monkeypatch)
    assert [r[:2] + r[3:] for r in found if r[1] == "context-unused"] == [
        ("warning", "context-unused", ("both",))
    ]
