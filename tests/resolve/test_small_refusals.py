"""Smaller inputs that were accepted or crashed and are now refused clearly: reserved
placeholder names, SOURCE_DATE_EPOCH, group names and the `default` group, mirrors, run.home,
optional_args."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bakegen.cli import main
from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix

BASE = """\
format: 1
image: {name: app, tags: ["{os}-{date}"]}
defaults: {dockerfile: Dockerfile}
axes:
  os: {values: {jammy: {}, noble: {}}}
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("axis", ["date", "date_time"])
def test_an_axis_named_like_a_date_placeholder_is_refused(axis: str) -> None:
    text = BASE.replace("  os: {values", f"  {axis}: {{values: {{x: {{}}}}}}\n  os: {{values")
    assert _problems(text)[0] == (
        f"matrix.yaml:5:3: axes.{axis}: {{{axis}}} is a built-in placeholder; an axis of that "
        "name would hide it (rename the axis)"
    )


def _render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str) -> tuple[int, str]:
    (tmp_path / "matrix.yaml").write_text(BASE)
    (tmp_path / "Dockerfile").write_text("FROM ubuntu:24.04\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = CliRunner().invoke(main, ["render", "-m", "matrix.yaml", "-o", "-"])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("epoch", ["99999999999999999999999", "253402300800", "1e9", "-5", "١٢"])
def test_a_huge_or_malformed_source_date_epoch_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    code, err = _render(tmp_path, monkeypatch, epoch)
    assert code == 1
    assert err.startswith(f"Error: SOURCE_DATE_EPOCH={epoch!r} ")
    assert "Traceback" not in err


def test_the_last_second_of_year_9999_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, err = _render(tmp_path, monkeypatch, "253402300799")
    assert (code, err) == (0, "")


GROUPS = BASE + "groups:\n"


def test_a_group_name_starting_with_a_dash_is_refused() -> None:
    problems = _problems(GROUPS + "  -x: {select: {os: jammy}}\n")
    assert problems == [
        "matrix.yaml:7:3: groups[\"-x\"]: a name starting with '-' reads as a flag on the bake "
        "command line (rename the group)"
    ]


def test_a_default_group_that_matches_no_cell_is_refused() -> None:
    text = BASE.replace("noble: {}", "noble: {}, focal: {}") + "exclude: [{os: focal}]\n"
    problems = _problems(text + "groups:\n  default: {select: {os: focal}}\n")
    assert problems == [
        "matrix.yaml:8:13: groups.default.select: the default group matches no cell: a bare "
        "`docker buildx bake` would build nothing (select cells the matrix has (see `bakegen "
        "list`), or drop the group)"
    ]


def test_a_value_id_all_beside_a_default_group_is_refused() -> None:
    text = BASE.replace("noble: {}", "all: {}") + "groups:\n  default: {select: {os: jammy}}\n"
    problems = _problems(text)
    assert problems == [
        "matrix.yaml:5:28: axes.os.values.all: the id 'all' names the group of every cell when "
        "'default' is one of your groups (give the value another id (`id: ...`))"
    ]


MIRRORS = """\
format: 1
image: {name: app, registry: REGISTRY, mirrors: MIRRORS}
defaults: {dockerfile: Dockerfile}
axes:
  os: {values: {jammy: {}}}
"""


@pytest.mark.parametrize(
    ("registry", "mirrors", "message"),
    [
        ("docker.io/acme", "[docker.io/acme]", "'docker.io/acme' is image.registry again"),
        ("ghcr.io/acme", "[docker.io/acme, Docker.IO/acme]", "is image.mirrors[0] again"),
        ("ghcr.io/acme", "[GHCR.io/acme]", "'GHCR.io/acme' is image.registry again"),
        ("ghcr.io/acme", "[" + "m" * 260 + ".io]", "the mirror is 263 characters"),
    ],
)
def test_mirrors_that_push_twice_or_are_too_long_are_refused(
    registry: str, mirrors: str, message: str
) -> None:
    text = MIRRORS.replace("REGISTRY", registry).replace("MIRRORS", mirrors)
    problems = _problems(text)
    assert len(problems) == 1
    assert "image.mirrors[" in problems[0]
    assert message in problems[0]


def test_distinct_mirrors_are_valid() -> None:
    text = MIRRORS.replace("REGISTRY", "ghcr.io/acme").replace("MIRRORS", "[docker.io/acme]")
    compiled = compile_matrix(load_matrix_text(text))
    assert len(compiled.resolution.targets[0].tags) == 2


@pytest.mark.parametrize("home", ["/root:ro", "/home/u,readonly", "/home/{os}:ro"])
def test_a_run_home_with_mount_options_is_refused(home: str) -> None:
    problems = _problems(BASE + f'run: {{home: "{home}"}}\n')
    assert len(problems) == 1
    assert problems[0].startswith("matrix.yaml:6:")
    assert "a home is a path, without mount options" in problems[0]


def test_optional_args_naming_no_arg_warn_where_written() -> None:
    text = BASE.replace(
        "defaults: {dockerfile: Dockerfile}",
        "defaults: {dockerfile: Dockerfile, args: {PIP_INDEX: x}, optional_args: [PIP_INDX]}",
    )
    warnings = [str(w) for w in compile_matrix(load_matrix_text(text)).warnings]
    assert warnings == [
        "matrix.yaml:3:74: defaults.optional_args[0]: optional_args names 'PIP_INDX', which no "
        "target that lists it passes as an arg (did you mean 'PIP_INDEX'?)"
    ]


def test_optional_args_some_cells_pass_do_not_warn() -> None:
    text = BASE.replace("jammy: {}", "jammy: {args: {PIP_INDEX: x}}").replace(
        "defaults: {dockerfile: Dockerfile}",
        "defaults: {dockerfile: Dockerfile, optional_args: [PIP_INDEX]}",
    )
    assert compile_matrix(load_matrix_text(text)).warnings == ()
