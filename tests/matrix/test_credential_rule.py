"""The one credential rule (docs/matrix.md, "Credentials"): no value bakegen writes or passes
on may read a credential-named variable, wherever the template stands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.errors import MatrixError
from bakegen.matrix.credentials import DEFAULT_RULE, CredentialRule
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix
from tests.support.git import git
from tests.support.helpers import MINIMAL, write

SECRET = "sentinel-credential-value-0123456789"


def problems(text: str) -> str:
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    return str(caught.value)


# Each place a template stands, and the located key path of the refusal.
PLACES = {
    "annotation": ("defaults:\n  annotations: ['index:x={var.V}']\n", "defaults.annotations[0]"),
    "attestation": ("defaults:\n  attest: ['type=sbom,generator={var.V}']\n", "defaults.attest[0]"),
    "output": ("defaults:\n  output: ['type=registry,name={var.V}']\n", "defaults.output[0]"),
    "description": ("defaults:\n  description: 'x {var.V}'\n", "defaults.description"),
    "context URL": (
        "defaults:\n  context: 'https://{var.V}@git.example/r.git'\n",
        "defaults.context",
    ),
    "tag rule": (
        "image:\n  name: app\n  tag_rules: [{tags: ['{var.V}']}]\n",
        "image.tag_rules[0].tags[0]",
    ),
    "image tag": ("image:\n  name: app\n  tags: ['{version}-{var.V}']\n", "image.tags[0]"),
    "label key": (
        "image:\n  name: app\n  labels: {'k{var.V}': x}\n",
        'image.labels["k{var.V}"]',
    ),
    "manifest tag": (
        "ci:\n  manifest: {axis: os, tags: ['{version}-{var.V}']}\n",
        "ci.manifest.tags[0]",
    ),
    "run home": ("run:\n  home: '/{var.V}'\n", "run.home"),
}


def _with(text: str, extra: str) -> str:
    """MINIMAL with `extra`'s top-level keys merged over its own (image, defaults)."""
    base = MINIMAL
    if extra.startswith("image:"):
        base = base.replace('image:\n  name: app\n  tags: ["{version}-{name}"]\n', "")
    if extra.startswith("defaults:"):
        base = base.replace("defaults:\n  dockerfile: Dockerfile\n", "")
        extra += "  dockerfile: Dockerfile\n"
    return base + extra + text


@pytest.mark.parametrize("name", ["HF_TOKEN", "CI_JOB_JWT", "REGISTRY_AUTH"])
@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_credential_is_refused_in_every_template(place: str, name: str) -> None:
    extra, where = PLACES[place]
    message = problems(_with("", extra.replace("{var.V}", "{var." + name + "}")))
    where = where.replace("{var.V}", "{var." + name + "}")
    assert f"{where}: {{var.{name}}} would copy a credential" in message, message
    assert f"env: {name}" in message
    assert "RUN --mount=type=secret" in message


def test_a_credential_named_variable_is_refused_where_it_is_declared() -> None:
    text = MINIMAL + "variables:\n  HF_TOKEN: {default: '', required_by: {os: jammy}}\n"
    message = problems(text)
    assert "matrix.yaml:17:3: variables.HF_TOKEN: HF_TOKEN is named like a credential" in message


@pytest.mark.parametrize(
    "name",
    [
        "GITHUB_TOKEN",
        "NPM_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
        "CI_JOB_JWT",
        "CI_JOB_JWT_V2",
        "REGISTRY_AUTH",
        "DOCKER_AUTH_CONFIG",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "GOOGLE_CREDENTIALS",
        "DB_PASSWORD",
        "SIGNING_KEY",
        "HF_API_KEY",
        "hf_token",
        "GH_PAT",
    ],
)
def test_common_credential_names(name: str) -> None:
    assert DEFAULT_RULE(name)


@pytest.mark.parametrize(
    "name", ["KEYRING_VERSION", "TOKENIZER_NAME", "AUTHOR", "KEY_SERVER_URL", "CUDA_VERSION"]
)
def test_names_that_merely_contain_a_credential_word_are_free(name: str) -> None:
    assert not DEFAULT_RULE(name)


def test_the_matrix_adds_credential_names_and_exceptions() -> None:
    text = MINIMAL + (
        "credentials:\n  names: ['*_login']\n  allow: [ACTIONS_ID_TOKEN_REQUEST_URL]\n"
        "variables:\n  SONAR_LOGIN: {default: ''}\n  ACTIONS_ID_TOKEN_REQUEST_URL: {default: ''}\n"
    )
    message = problems(text)
    assert "SONAR_LOGIN is named like a credential" in message
    assert "ACTIONS_ID_TOKEN_REQUEST_URL" not in message
    rule = CredentialRule(("*_LOGIN",), frozenset({"ACTIONS_ID_TOKEN_REQUEST_URL"}))
    assert rule("sonar_login")
    assert not rule("ACTIONS_ID_TOKEN_REQUEST_URL")


def test_manifest_never_reads_a_credential_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        MINIMAL
        + "ci:\n  manifest: {axis: os, tags: ['{version}-{target}-{var.CI_JOB_JWT}']}\n"
        + "variables:\n  CI_JOB_JWT: {default: ''}\n",
    )
    write(tmp_path, "FROM ubuntu:24.04 AS runtime\nFROM runtime AS dev\n", "Dockerfile")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CI_JOB_JWT", SECRET)
    for args in (["manifest", "--dry-run"], ["ci", "--format", "github"], ["render", "-o", "-"]):
        result = CliRunner().invoke(main, args)
        assert SECRET not in result.output, args
        assert result.exit_code == 1, (args, result.output)
