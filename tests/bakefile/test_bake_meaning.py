"""The bake file means exactly what the matrix says, as buildx reads it: reserved names are
refused, placeholders and `$` survive as written, text is read in NFC, and what only bake
can check becomes a `validation` block. Where a real `docker buildx` is installed, the same
files go through `docker buildx bake --print` too (those tests skip elsewhere)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import Compiled, compile_matrix
from tests.bake_eval import Bake
from tests.support.helpers import buildx_available, clean_env

HEAD = 'format: 1\nimage: {name: app, tags: ["{version}-{name}"]}\n'
ONE_AXIS = HEAD + "defaults: {dockerfile: Dockerfile}\naxes:\n  x:\n    values: {a: , b: }\n"


def compiled(text: str) -> Compiled:
    return compile_matrix(load_matrix_text(text))


def refused(text: str) -> str:
    with pytest.raises(MatrixError) as caught:
        compiled(text)
    return str(caught.value)


needs_buildx = pytest.mark.skipif(not buildx_available(), reason="no docker buildx here")


def bake_print(
    directory: Path, text: str, name: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`docker buildx bake --print` on `text` written as `name` (buildx needs no daemon
    for --print)."""
    (directory / name).write_text(text)
    return subprocess.run(
        ["docker", "buildx", "bake", "-f", name, "--print"],
        cwd=directory,
        capture_output=True,
        text=True,
        env={**clean_env(), **(env or {})},
        check=False,
        timeout=60,
    )


# -- 1, 2, 3, 7, 8, 11: reserved names --------------------------------------------------------
@pytest.mark.parametrize("vid", ["common", "default", "_x", "-x"])
def test_a_value_id_bakegen_or_bake_uses_is_refused(vid: str) -> None:
    text = ONE_AXIS.replace("values: {a: , b: }", f"values: {{a: {{id: '{vid}'}}, b: }}")
    message = refused(text)
    assert message.startswith("matrix.yaml:6:14: axes.x.values.a: the id ")
    assert "reserved" in message


def test_a_name_template_giving_a_flag_like_name_is_refused() -> None:
    assert "starts with '-'" in refused(ONE_AXIS + "name: '-{x}'\n")


def test_one_id_on_two_axes_is_refused() -> None:
    text = ONE_AXIS + "  y:\n    values: {a: , c: }\n"
    assert "already the id of a value of axis 'x'" in refused(text)


@pytest.mark.parametrize("axis", ["version", "image", "name", "commit_sha"])
def test_an_axis_named_like_a_builtin_placeholder_is_refused(axis: str) -> None:
    text = ONE_AXIS.replace("  x:\n", f"  {axis}:\n")
    assert "built-in placeholder" in refused(text)


@pytest.mark.parametrize(
    "name", ["true", "false", "null", "target", "group", "BAKE_LOCAL_PLATFORM", "BAKE_CMD_CONTEXT"]
)
def test_a_variable_bake_reads_differently_is_refused(name: str) -> None:
    text = ONE_AXIS + f"variables:\n  {name}: {{default: a, choices: [a, b]}}\n"
    assert f"variables.{name}" in refused(text)


# -- 4, 5, 6: placeholders ----------------------------------------------------------------------
def test_a_placeholder_that_is_empty_stays_empty() -> None:
    text = ONE_AXIS.replace(
        "values: {a: , b: }", "values: {a: {vars: {s: ''}}, b: {vars: {s: x}}}"
    ).replace("{dockerfile: Dockerfile}", "{dockerfile: Dockerfile, args: {S: '{x.s}'}}")
    text = text.replace("defaults:", "defaults:", 1)
    bake = Bake(compiled(text).text("hcl"))
    assert bake.target("a")["args"]["S"] == ""
    assert bake.target("b")["args"]["S"] == "x"


def test_a_dollar_before_a_placeholder_is_a_literal_dollar() -> None:
    text = (
        ONE_AXIS.replace(
            "{dockerfile: Dockerfile}",
            "{dockerfile: Dockerfile, args: {P: '${version}', Q: 'US${var.JOBS}'}}",
        )
        + "variables:\n  JOBS: {default: '4'}\n"
    )
    bake = Bake(compiled(text).text("hcl"))
    assert bake.target("a")["args"] == {"P": "$dev", "Q": "US$4"}


def test_descriptions_take_placeholders() -> None:
    text = ONE_AXIS.replace(
        "{dockerfile: Dockerfile}", "{dockerfile: Dockerfile, description: '{x} at {version}'}"
    )
    assert Bake(compiled(text).text("hcl")).target("a")["description"] == "a at dev"


# -- 9, 10: labels and NFC ----------------------------------------------------------------------
def test_null_in_an_override_removes_an_image_label() -> None:
    text = ONE_AXIS.replace("image: {name: app,", "image: {name: app, labels: {team: x},")
    text += "overrides:\n  - select: {x: a}\n    labels: {team: null}\n"
    bake = Bake(compiled(text).text("hcl"))
    assert "team" not in bake.target("a")["labels"]
    assert bake.target("b")["labels"]["team"] == "x"


def test_text_is_read_in_nfc_with_a_warning() -> None:
    text = ONE_AXIS.replace(
        "{dockerfile: Dockerfile}", '{dockerfile: Dockerfile, labels: {note: "e\\u0301"}}'
    )
    result = compiled(text)
    (target,) = [t for t in result.resolution.targets if t.name == "a"]
    assert dict(target.labels)["note"] == ("\u00e9",)
    assert any("NFC" in w.message for w in result.warnings)


def test_two_keys_equal_in_nfc_are_refused() -> None:
    text = ONE_AXIS.replace(
        "{dockerfile: Dockerfile}",
        '{dockerfile: Dockerfile, labels: {"\\u00e9": a, "e\\u0301": b}}',
    )
    assert "same as" in refused(text)


# -- 12, 14: references bake or a registry would refuse ----------------------------------------
def test_a_target_context_must_name_a_target() -> None:
    text = ONE_AXIS.replace(
        "{dockerfile: Dockerfile}", "{dockerfile: Dockerfile, contexts: {c: 'target:nope'}}"
    )
    assert "names the target 'nope', which the matrix does not have" in refused(text)


def test_a_target_name_too_long_for_its_cache_ref_is_refused() -> None:
    long = "v" * 125
    text = ONE_AXIS.replace("values: {a: , b: }", f"values: {{{long}: , b: }}")
    assert "cache ref tag" in refused(text)


def _validations(bake_text: str, variable: str) -> list[str]:
    block = re.search(rf'variable "{variable}" {{(.*?)\n}}', bake_text, re.DOTALL)
    assert block is not None
    return re.findall(r"condition\s+= (.*)", block.group(1))


@pytest.mark.parametrize(
    ("variable", "bad", "good"),
    [
        ("VERSION", ["v1.2.3+build.5", "", "-x", "a/b"], ["1.2.3", "v1.2.3.dev.abc1234"]),
        ("CACHE_SCOPE", ["feature/x", ""], ["feature-x", "main"]),
    ],
)
def test_version_and_cache_scope_are_checked_at_bake_time(
    variable: str, bad: list[str], good: list[str]
) -> None:
    checks = _validations(compiled(ONE_AXIS).text("hcl"), variable)
    pattern = next(re.search(r'regex\("(.*?)"', c) for c in checks if "regex" in c)
    assert pattern is not None
    for value in bad:
        assert not re.search(pattern.group(1), value), value
    for value in good:
        assert re.search(pattern.group(1), value), value
    assert any(c.startswith(f"strlen({variable}) <= ") for c in checks)


def test_a_variable_inside_a_tag_may_not_hold_a_repository() -> None:
    text = ONE_AXIS.replace('tags: ["{version}-{name}"]', 'tags: ["{var.FLAVOR}-{name}"]')
    text += "variables:\n  FLAVOR: {default: std}\n"
    checks = _validations(compiled(text).text("hcl"), "FLAVOR")
    assert any("regex" in c for c in checks)


@needs_buildx
def test_bake_refuses_bad_values_of_checked_variables(tmp_path: Path) -> None:
    text = ONE_AXIS.replace('tags: ["{version}-{name}"]', 'tags: ["{version}-{var.F}-{name}"]')
    text += "variables:\n  F: {default: std}\n"
    hcl = compiled(text).text("hcl")
    assert bake_print(tmp_path, hcl, "docker-bake.hcl").returncode == 0
    for env in ({"VERSION": "v1.2.3+build.5"}, {"CACHE_SCOPE": "feature/x"}, {"F": "r:t"}):
        done = bake_print(tmp_path, hcl, "docker-bake.hcl", env)
        assert done.returncode != 0, env
        assert "Validation failed" in done.stderr


# -- 13: JSON output ----------------------------------------------------------------------------
NASTY = (
    HEAD
    + "defaults:\n  dockerfile: Dockerfile\n"
    + '  labels: {"k${X}%{y}": v}\n'
    + '  args: {J: "{var.JOBS}"}\n'
    + "axes:\n"
    + "  x:\n    values: {'${VERSION}': {id: dv}, b: }\n"
    + "  y:\n    values: {c: , d: }\n"
    + "variables:\n"
    + "  JOBS: {default: '4', description: 'jobs ${X}', choices: ['4', \"8\\u0600\", \"\\ufeffz\"]}\n"
)


def test_json_escapes_label_keys_and_group_descriptions_but_not_variable_descriptions() -> None:
    text = compiled(NASTY).text("json")
    assert text.isascii()
    doc = json.loads(text)
    assert doc["group"]["dv"]["description"] == "x $${VERSION}"
    assert doc["variable"]["JOBS"]["description"] == "jobs ${X}"
    labels = {k for b in doc["target"].values() for k in b.get("labels", {})}
    assert "k$${X}%%{y}" in labels


@needs_buildx
def test_json_and_hcl_print_the_same(tmp_path: Path) -> None:
    result = compiled(NASTY)
    hcl = bake_print(tmp_path, result.text("hcl"), "a.hcl")
    js = bake_print(tmp_path, result.text("json"), "a.json")
    assert hcl.returncode == 0, hcl.stderr
    assert js.returncode == 0, js.stderr
    assert json.loads(js.stdout) == json.loads(hcl.stdout)
    labels = json.loads(hcl.stdout)["target"]["dv-c"]["labels"]
    assert "k${X}%{y}" in labels


# -- 20: names and padding ----------------------------------------------------------------------
def test_a_very_long_map_key_does_not_pad_every_line() -> None:
    long = "k" * 1000  # YAML allows keys of up to 1024 characters in flow style
    text = ONE_AXIS.replace(
        "{dockerfile: Dockerfile}", f"{{dockerfile: Dockerfile, labels: {{{long}: v, s: w}}}}"
    )
    lines = compiled(text).text("hcl").splitlines()
    assert max(len(line) for line in lines if line.strip().startswith("s ")) < 80


# -- issue 14, items 1 to 3 ---------------------------------------------------------------------
def test_a_shared_stage_named_like_a_cell_is_refused() -> None:
    text = ONE_AXIS.replace("values: {a: , b: }", "values: {a: {uses: {s: a}}, b: }")
    text += "shared:\n  a:\n    axes: []\n    dockerfile: Dockerfile\n    stage: s\n"
    assert "has the name of a cell" in refused(text)


def test_a_credential_variable_may_not_reach_a_build_arg() -> None:
    text = (
        ONE_AXIS.replace(
            "{dockerfile: Dockerfile}", "{dockerfile: Dockerfile, args: {T: '{var.HF_TOKEN}'}}"
        )
        + "variables:\n  HF_TOKEN: {default: ''}\n"
    )
    message = refused(text)
    assert "credential" in message
    assert "secrets" in message


@pytest.mark.parametrize("spec", ["{default: c, choices: [a, b]}", "{default: a, reject: [a]}"])
def test_a_variable_whose_default_fails_its_own_checks_is_refused(spec: str) -> None:
    text = ONE_AXIS + f"variables:\n  V: {spec}\n"
    assert "variables.V.default" in refused(text)
