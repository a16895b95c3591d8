"""`bakegen list`: the targets the matrix builds, as a table, JSON records or names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from bakegen.commands.common import (
    compiled_matrix,
    format_option,
    matrix_option,
    reports_errors,
    select_option,
)
from bakegen.pipeline import Compiled
from bakegen.templating import plain


@click.command(name="list")
@matrix_option
@format_option("table", "json", "names", help="A table, JSON records, or one name per line.")
@select_option
@reports_errors
def list_(matrix_path: Path, fmt: str, select: tuple[str, ...]) -> None:
    """List the targets the matrix builds (cells first, then shared stages)."""
    compiled = compiled_matrix(matrix_path, select)
    targets = compiled.resolution.targets
    # Each output is written at once: one echo per line costs more than the rest.
    if fmt == "names":
        if targets:
            click.echo("\n".join(t.name for t in targets))
    elif fmt == "json":
        click.echo(json.dumps(_records(compiled), indent=2, ensure_ascii=False))
    else:
        click.echo(table_text(compiled))


def _records(compiled: Compiled) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "kind": t.kind,
            "values": dict(t.values),
            "dockerfile": plain(t.dockerfile),
            "stage": plain(t.stage),
            "platforms": list(t.platforms),
            "tags": [plain(x) for x in t.tags],
            "depends_on": list(t.depends_on),
        }
        for t in compiled.resolution.targets
    ]


def table_text(compiled: Compiled) -> str:
    """Name, axis values, Dockerfile and stage of each target, in aligned columns, each
    headed once."""
    axes = list(compiled.matrix.model.axes)
    header = ["NAME", *axis_headings(axes), "DOCKERFILE", "STAGE"]
    rows = [header]
    for t in compiled.resolution.targets:
        values = dict(t.values)
        rows.append(
            [t.name, *(values.get(a, "*") for a in axes), plain(t.dockerfile), plain(t.stage)]
        )
    widths = [max(map(len, col)) for col in zip(*rows, strict=True)]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def axis_headings(axes: list[str]) -> list[str]:
    """An axis's column is headed by its name in capitals, unless that is the heading of a
    target column or of another axis (an axis named `stage`, or `Stage` beside `stage`):
    then by the key path of its value in the JSON records, `VALUES.<axis>`."""
    fixed = {"NAME", "DOCKERFILE", "STAGE"}
    upper = [a.upper() for a in axes]
    return [
        f"VALUES.{a}" if u in fixed or upper.count(u) > 1 else u
        for a, u in zip(axes, upper, strict=True)
    ]
