"""`bakegen lint`: small matrices and Dockerfiles that break each rule, with locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.lint.linter import Finding, is_pinned, lint
from bakegen.pipeline import compile_path
from tests.support import ROOT

MATRIX = """\
format: 1
image: {{name: app, tags: ["{{name}}"]}}
axes:
  flavour:
    values:
      plain: {{}}
defaults:
  dockerfile: Dockerfile
  stage: runtime
{extra}"""


def project(tmp: Path, dockerfile: str, extra: str = "") -> Path:
    (tmp / "Dockerfile").write_text(dockerfile)
    (tmp / "matrix.yaml").write_text(MATRIX.format(extra=extra))
    return tmp


def findings(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """(rule, file:line, message) of every finding, hadolint left out."""
    monkeypatch.chdir(tmp)
    found = lint(compile_path(Path("matrix.yaml")))
    return [(f.rule, f"{f.file}:{f.line}", f.message) for f in found]


CLEAN = "FROM ubuntu:24.04 AS runtime\nRUN true\n"


def test_clean_project_has_no_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, CLEAN)
    assert findings(tmp_path, monkeypatch) == []


def test_missing_dockerfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, CLEAN)
    (tmp_path / "Dockerfile").unlink()
    assert findings(tmp_path, monkeypatch) == [
        ("dockerfile-missing", "matrix.yaml:8", "Dockerfile does not exist")
    ]


def test_missing_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "FROM ubuntu:24.04 AS base\nFROM base AS build\n")
    assert findings(tmp_path, monkeypatch) == [
        ("stage-missing", "matrix.yaml:9", "Dockerfile has no stage 'runtime'")
    ]


def test_unparsable_dockerfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "RUN true\n")
    assert findings(tmp_path, monkeypatch) == [
        ("dockerfile-invalid", "Dockerfile:None", "has no FROM instruction")
    ]


def test_enable_media_nixl_scoping_pattern(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A global ARG read in a stage without `ARG` there is empty: the feature never builds."""
    dockerfile = (
        "ARG ENABLE_MEDIA_NIXL\n"
        "ARG ENABLE_MEDIA_FFMPEG\n"
        "FROM ubuntu:24.04 AS wheel_builder\n"
        "ARG ENABLE_MEDIA_FFMPEG\n"
        'RUN echo "nixl=${ENABLE_MEDIA_NIXL} ffmpeg=$ENABLE_MEDIA_FFMPEG"\n'
        "FROM wheel_builder AS runtime\n"
    )
    extra = '  args: {ENABLE_MEDIA_NIXL: "true", ENABLE_MEDIA_FFMPEG: "true"}\n'
    project(tmp_path, dockerfile, extra)
    assert findings(tmp_path, monkeypatch) == [
        (
            "arg-global-only",
            "Dockerfile:1",
            "ENABLE_MEDIA_NIXL is passed, but ARG ENABLE_MEDIA_NIXL is declared only before "
            "the first FROM and no FROM reads it, so the value reaches no stage",
        ),
        (
            "arg-scope",
            "Dockerfile:5",
            "$ENABLE_MEDIA_NIXL is read in stage 'wheel_builder', but ARG ENABLE_MEDIA_NIXL is "
            "declared only globally, so it is empty here",
        ),
    ]


def test_global_arg_used_in_from_is_fine_and_env_is_inherited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dockerfile = (
        "ARG TAG=24.04\n"
        "ARG MODE\n"
        "FROM ubuntu:${TAG} AS base\n"
        "ARG MODE\n"
        "ENV MODE=${MODE}\n"
        "FROM base AS runtime\n"
        "RUN echo $MODE \\$TAG\n"
    )
    project(tmp_path, dockerfile, '  args: {TAG: "22.04", MODE: fast}\n')
    assert findings(tmp_path, monkeypatch) == []


def test_unused_github_token_arg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, CLEAN, '  args: {GITHUB_TOKEN: "{commit_sha}"}\n')
    assert findings(tmp_path, monkeypatch) == [
        (
            "arg-undeclared",
            "matrix.yaml:10",
            "GITHUB_TOKEN is passed, but Dockerfile does not declare it",
        ),
        (
            "credential-arg",
            "matrix.yaml:10",
            "GITHUB_TOKEN is passed as a build arg; build args are stored in the image "
            "history and printed in logs",
        ),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "NPM_TOKEN",
        "DB_PASSWORD",
        "SIGNING_KEY",
        "HF_API_KEY",
    ],
)
def test_credential_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    dockerfile = f"FROM ubuntu:24.04 AS runtime\nARG {name}\nRUN echo ${name}\n"
    project(tmp_path, dockerfile, f"  args: {{{name}: x}}\n")
    # The matrix passes it (bakegen's credential-arg, an error) and the Dockerfile declares it
    # (BuildKit's SecretsUsedInArgOrEnv, on the ARG line).
    assert [f[:2] for f in findings(tmp_path, monkeypatch)] == [
        ("SecretsUsedInArgOrEnv", "Dockerfile:2"),
        ("credential-arg", "matrix.yaml:10"),
    ]


def test_credential_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = "FROM ubuntu:24.04 AS runtime\nARG HELPER\nRUN echo $HELPER\n"
    project(tmp_path, dockerfile, "  args: {HELPER: AKIAABCDEFGHIJKLMNOP}\n")
    assert [f[:2] for f in findings(tmp_path, monkeypatch)] == [
        ("credential-arg", "matrix.yaml:10")
    ]


def test_context_missing_and_unused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = (
        "FROM ubuntu:24.04 AS runtime\n"
        "COPY --from=wheels /w /w\n"
        "RUN --mount=from=tools,target=/t true\n"
    )
    project(tmp_path, dockerfile, "  contexts: {wheels: ./w, extra: ./x}\n")
    assert findings(tmp_path, monkeypatch) == [
        (
            "context-missing",
            "Dockerfile:3",
            "RUN --mount from tools: no stage or named context 'tools' (bake would pull the image "
            "docker.io/library/tools:latest)",
        ),
        (
            "context-unused",
            "matrix.yaml:10",
            "the context 'extra' is provided, but no stage the target builds uses it "
            "(and no stage of that name is replaced by it)",
        ),
    ]


def test_only_built_stages_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = (
        "FROM ubuntu:24.04 AS runtime\n"
        "RUN true\n"
        "FROM ubuntu:24.04 AS other\n"
        "COPY --from=elsewhere /x /x\n"
        "RUN --mount=type=secret,id=nope true\n"
    )
    project(tmp_path, dockerfile)
    assert findings(tmp_path, monkeypatch) == []


def test_secrets_missing_and_unused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = (
        "FROM ubuntu:24.04 AS runtime\n"
        "RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID true\n"
    )
    project(tmp_path, dockerfile, "  secrets: [{id: npmrc, env: NPMRC}]\n")
    assert findings(tmp_path, monkeypatch) == [
        (
            "secret-missing",
            "Dockerfile:2",
            "a RUN mounts the secret 'aws-key-id', which the target does not provide",
        ),
        (
            "secret-unused",
            "matrix.yaml:10",
            "the secret 'npmrc' is provided, but no stage the target builds mounts it",
        ),
    ]


def test_sccache_secrets_satisfy_mounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = (
        "FROM ubuntu:24.04 AS runtime\n"
        "ARG USE_SCCACHE\nARG SCCACHE_BUCKET\nARG SCCACHE_REGION\n"
        "RUN --mount=type=secret,id=aws-key-id,env=AWS_ACCESS_KEY_ID \\\n"
        "    --mount=type=secret,id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY \\\n"
        "    echo $USE_SCCACHE $SCCACHE_BUCKET $SCCACHE_REGION\n"
    )
    project(tmp_path, dockerfile, "  sccache: true\n")
    assert findings(tmp_path, monkeypatch) == []


@pytest.mark.parametrize(
    ("ref", "pinned"),
    [
        ("ubuntu:24.04", True),
        ("ubuntu:latest", False),
        ("ghcr.io/a/b", False),
        ("localhost:5000/a/b", False),
        ("localhost:5000/a/b:1", True),
        ("a/b@sha256:00", True),
        ("scratch", True),
    ],
)
def test_pinning(ref: str, pinned: bool) -> None:
    assert is_pinned(ref) is pinned


def test_unpinned_base_images(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = (
        "ARG BASE=nvcr.io/nvidia/cuda\n"
        "FROM ${BASE} AS runtime\n"
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /uv\n"
    )
    project(tmp_path, dockerfile)
    assert findings(tmp_path, monkeypatch) == [
        (
            "image-unpinned",
            "Dockerfile:2",
            "FROM nvcr.io/nvidia/cuda: no tag or digest, or a moving tag",
        ),
        (
            "image-unpinned",
            "Dockerfile:3",
            "COPY --from ghcr.io/astral-sh/uv:latest: no tag or digest, or a moving tag",
        ),
    ]


def test_passed_arg_pins_the_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dockerfile = "ARG BASE=nvcr.io/nvidia/cuda\nARG TAG=12\nFROM ${BASE}:${TAG} AS runtime\n"
    project(tmp_path, dockerfile, "  args: {TAG: 12.9.1-runtime}\n")
    assert findings(tmp_path, monkeypatch) == []


def test_same_finding_from_many_targets_is_reported_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM ubuntu AS runtime\n")
    (tmp_path / "matrix.yaml").write_text(
        MATRIX.format(extra="").replace(
            "      plain: {}\n", "      a: {}\n      b: {}\n      c: {}\n"
        )
    )
    monkeypatch.chdir(tmp_path)
    (finding,) = lint(compile_path(Path("matrix.yaml")))
    assert finding.targets == ("a", "b", "c")
    assert finding.rule == "context-missing"


def run_cli(tmp: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp)
    result = CliRunner().invoke(main, ["lint", "-m", "matrix.yaml", *args])
    return result.exit_code, result.stdout


def test_cli_text_and_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, CLEAN, "  args: {GITHUB_TOKEN: x}\n")
    code, out = run_cli(tmp_path, monkeypatch, "--no-hadolint")
    assert code == 1
    assert out.splitlines()[:3] == [
        "matrix.yaml:10: warning [arg-undeclared] GITHUB_TOKEN is passed, but Dockerfile does not "
        "declare it",
        "    target: plain",
        "    hint: remove the arg, or declare it with ARG in the stage that reads it",
    ]
    assert out.splitlines()[-1] == "1 errors, 1 warnings, 0 infos in 1 targets"


def test_cli_json_is_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "FROM ubuntu:latest AS runtime\n")
    code, out = run_cli(tmp_path, monkeypatch, "--format", "json", "--no-hadolint")
    assert code == 0
    assert json.loads(out) == {
        "version": 1,
        "findings": [
            {
                "severity": "warning",
                "rule": "image-unpinned",
                "file": "Dockerfile",
                "line": 1,
                "target": "plain",
                "targets": ["plain"],
                "message": "FROM ubuntu:latest: no tag or digest, or a moving tag",
                "hint": "pin a version tag or a digest",
            }
        ],
        "left_out": [],
        "summary": {"error": 0, "warning": 1, "info": 0, "targets": 1},
    }


def test_hadolint_findings_join_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, "FROM ubuntu:24.04 AS runtime\nRUN cd /tmp && true\n")
    code, out = run_cli(tmp_path, monkeypatch, "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert [(f["rule"], f["file"], f["line"], f["target"]) for f in doc["findings"]] == [
        ("hadolint/DL3003", "Dockerfile", 2, "plain")
    ]


def test_default_matrix_lints_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["lint"])
    assert result.exit_code == 0
    assert result.stdout.startswith("0 errors, 0 warnings, 0 infos in 92 targets")


def test_finding_target_is_the_first_of_its_targets() -> None:
    finding = Finding(severity="error", rule="r", file="f", line=1, message="m", targets=("x", "y"))
    assert finding.target == "x"


def test_every_finding_carries_location_target_message_and_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dockerfile = (
        "ARG ENABLE_MEDIA_NIXL\n"
        "FROM ubuntu AS base\n"
        'RUN --mount=type=secret,id=aws-key-id echo "$ENABLE_MEDIA_NIXL" && cd /tmp\n'
        "FROM base AS runtime\n"
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /uv\n"
    )
    extra = (
        "  args: {ENABLE_MEDIA_NIXL: 'true', GITHUB_TOKEN: x}\n"
        "  contexts: {extra: ./x}\n"
        "  secrets: [{id: other, env: OTHER}]\n"
    )
    project(tmp_path, dockerfile, extra)
    monkeypatch.chdir(tmp_path)
    from bakegen.lint.linter import find_hadolint

    found = lint(compile_path(Path("matrix.yaml")), Path(), find_hadolint())
    rules = {f.rule for f in found}
    assert rules >= {
        "arg-global-only",
        "arg-scope",
        "arg-undeclared",
        "context-missing",
        "context-unused",
        "credential-arg",
        "image-unpinned",
        "secret-missing",
        "secret-unused",
        "hadolint/DL3003",
    }
    for finding in found:
        assert finding.line, finding
        assert finding.target == "plain", finding
        assert finding.message, finding
        assert finding.hint, finding


def test_docs_list_every_rule_with_its_severity() -> None:
    from bakegen.lint.linter import RULES

    text = (ROOT / "docs" / "lint.md").read_text()
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in text.splitlines()
        if line.startswith("| `")
    }
    assert set(RULES) <= set(rows)
    for rule in RULES:
        assert any(
            word in rows[rule]
            for word in ("error", "warning", "info", "the file", "built stages", "every FROM")
        ), rule


def test_hadolint_errors_are_warnings_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bakegen.lint.linter import find_hadolint

    if find_hadolint() is None:
        pytest.skip("hadolint is not installed")
    project(tmp_path, "FROM ubuntu:24.04 AS runtime\nWORKDIR app\n")
    code, out = run_cli(tmp_path, monkeypatch, "--format", "json")
    doc = json.loads(out)
    assert code == 0
    dl3000 = [f for f in doc["findings"] if f["rule"] == "hadolint/DL3000"]
    assert [(f["severity"], f["reason"]) for f in dl3000] == [
        ("warning", "hadolint calls it an error, but BuildKit builds it")
    ]


def test_unnamed_stages_are_named_alike_in_every_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unnamed stage is `stage <index> (line <n>)` wherever lint names it: its index is
    what `--from=` takes, its line where to find it."""
    dockerfile = (
        "ARG GLOBAL=x\n"
        "FROM ubuntu:24.04\n"  # stage 0, which the target does not build
        "ARG ONLY_UNBUILT\n"
        "FROM ubuntu:24.04\n"  # stage 1
        "COPY file /file\n"
        "RUN echo $GLOBAL\n"
        "FROM ubuntu:24.04 AS runtime\n"
        "COPY --link --from=1 /file /file\n"
    )
    (tmp_path / "file").write_text("x\n")
    extra = "  args: {ONLY_UNBUILT: x}\n"
    project(tmp_path, dockerfile, extra)
    text = (tmp_path / "matrix.yaml").read_text().replace("plain: {}", "plain: {}\n      fancy: {}")
    (tmp_path / "matrix.yaml").write_text(text)
    messages = {rule: message for rule, _, message in findings(tmp_path, monkeypatch)}
    assert "stage 0 (line 2)" in messages["arg-unused"]
    assert "$GLOBAL is read in stage 1 (line 4)," in messages["arg-scope"]
    assert messages["context-copy-unlinked"].startswith("stage 1 (line 4) reads the build context")


EMPTY_OVER_DEFAULT = (
    "ARG BASE_TAG=24.04\n"
    "FROM ubuntu:${BASE_TAG} AS runtime\n"
    "ARG CUDA_MAJOR_VERSION=12\n"
    "ARG NO_DEFAULT\n"
    "ARG EMPTY_DEFAULT=\n"
    'ENV NVIDIA_REQUIRE_CUDA="cuda>=${CUDA_MAJOR_VERSION}.0" A=$NO_DEFAULT B=$EMPTY_DEFAULT\n'
)


def test_an_empty_arg_that_replaces_a_default_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Passing "" replaces the ARG's default with nothing (`cuda>=.0`); optional_args leaves
    an empty arg out so the default applies."""
    extra = '  args: {CUDA_MAJOR_VERSION: "", NO_DEFAULT: "", EMPTY_DEFAULT: "", BASE_TAG: ""}\n'
    project(tmp_path, EMPTY_OVER_DEFAULT, extra)
    found = [f for f in findings(tmp_path, monkeypatch) if f[0] == "arg-empty-replaces-default"]
    assert found == [
        (
            "arg-empty-replaces-default",
            "matrix.yaml:10",
            'BASE_TAG is passed as "", which replaces the default "24.04" of ARG BASE_TAG '
            "(Dockerfile:1): the build sees an empty value",
        ),
        (
            "arg-empty-replaces-default",
            "matrix.yaml:10",
            'CUDA_MAJOR_VERSION is passed as "", which replaces the default "12" of ARG '
            "CUDA_MAJOR_VERSION (Dockerfile:3): the build sees an empty value",
        ),
    ]
    monkeypatch.chdir(tmp_path)
    [finding] = [
        f
        for f in lint(compile_path(Path("matrix.yaml")))
        if f.rule == "arg-empty-replaces-default" and "CUDA" in f.message
    ]
    assert finding.severity == "warning"
    assert finding.hint is not None
    assert "optional_args: [CUDA_MAJOR_VERSION]" in finding.hint


def test_an_empty_optional_arg_is_left_out_and_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = (
        '  args: {CUDA_MAJOR_VERSION: "", BASE_TAG: "22.04"}\n'
        "  optional_args: [CUDA_MAJOR_VERSION]\n"
    )
    project(tmp_path, EMPTY_OVER_DEFAULT, extra)
    assert [
        f for f in findings(tmp_path, monkeypatch) if f[0] == "arg-empty-replaces-default"
    ] == []
