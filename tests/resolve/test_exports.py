"""Outputs, attestations and annotations parsed as buildx parses them, from their final text
(issue 24 item 3): a placeholder's value never adds a field, destinations stay inside the
project, no two cells export to one place, pushes name only the cell's own image."""

from __future__ import annotations

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix

HEAD = """\
format: 1
image:
  name: app
  tags: ["{version}-{name}"]
defaults:
  dockerfile: Dockerfile
"""


def matrix(attribute: str, values: tuple[str, ...] = ("jammy", "noble"), extra: str = "") -> str:
    """A one-axis matrix whose cells each set `attribute` (a YAML flow list) on their value."""
    rows = "".join(f"      {v!r}: {{{attribute}}}\n" for v in values)
    return HEAD + extra + "axes:\n  os:\n    values:\n" + rows


def refused(text: str) -> str:
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    return str(caught.value)


def accepted(text: str) -> None:
    compile_matrix(load_matrix_text(text))


INJECTED = "x,type=registry,name=evil.example/pwn:latest,push=true"


def test_an_axis_value_cannot_add_fields_to_an_output() -> None:
    message = refused(matrix("output: ['type=local,dest=out/{os}']", ("jammy", INJECTED)))
    assert "matrix.yaml:11:" in message
    assert "os.values" in message
    assert "type twice" in message or "changes its fields" in message


def test_an_axis_value_cannot_switch_the_sbom_off() -> None:
    message = refused(
        matrix("attest: ['type=sbom,generator=img/{os}']", ("jammy", "x,disabled=true"))
    )
    assert "changes its fields from type, generator to type, generator, disabled" in message


@pytest.mark.parametrize("dest", ["/", "/etc/x", "../..", "../out", "."])
def test_destinations_stay_inside_the_project(dest: str) -> None:
    text = matrix(
        f"output: ['type=local,dest={dest}/{{os}}']".replace("/{os}", "")
        if dest in ("/", ".")
        else f"output: ['type=local,dest={dest}/{{os}}']"
    )
    message = refused(text)
    assert "outside the project" in message or "both export" in message
    assert "outside_project" in message or "both export" in message


def test_outside_the_project_with_the_matrix_saying_so() -> None:
    accepted(
        matrix(
            "output: ['type=local,dest=/srv/out/{os}']", extra="exports: {outside_project: true}\n"
        )
    )


def test_two_cells_may_not_export_to_one_place() -> None:
    message = refused(matrix("output: ['type=local,dest=out']"))
    assert "both export to out" in message


def test_a_push_names_only_the_cells_own_image() -> None:
    message = refused(matrix("output: ['type=registry,name=evil.example/pwn:latest']"))
    assert "not one of" in message
    accepted(matrix("output: ['type=registry,name={image}']"))
    accepted(matrix("output: ['type=registry,\"name={image}:{version}-{name}\"']"))
    accepted(matrix("output: ['type=image,name=evil.example/x,push=false']"))


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("type=ftp", "not one of"),
        ("", "is empty"),
        ("type=local,dest", "not key=value"),
        ("dest=out/{os}", "(none)"),
    ],
)
def test_bad_outputs(entry: str, why: str) -> None:
    assert why in refused(matrix(f"output: [{entry!r}]"))


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("manifest:foo", "not key=value"),
        ("blob:a=b", "'blob' is not one of"),
        ("manifest:a b=c", "holds spaces"),
        ("index,manifest[linux/amd64]:ok=1", None),
        ("org.opencontainers.image.source=https://example.com", None),
    ],
)
def test_annotations_as_buildx_reads_them(entry: str, why: str | None) -> None:
    text = matrix(f"annotations: [{entry!r}]")
    if why is None:
        accepted(text)
    else:
        assert why in refused(text)


def test_an_annotation_key_with_a_newline_is_refused() -> None:
    assert "line break" in refused(matrix('annotations: ["manifest:a\\nb=c"]'))


def test_an_unknown_attestation_type_is_refused() -> None:
    assert "'slsa' is not one of" in refused(matrix("attest: ['type=slsa']"))


def test_a_bake_variable_of_the_matrix_may_not_fill_an_output() -> None:
    text = matrix(
        "output: ['type=local,dest=out/{os}-{var.OUT}']", extra="variables: {OUT: {default: x}}\n"
    )
    assert "${OUT} is set at bake time" in refused(text)
