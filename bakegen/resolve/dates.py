"""The date placeholders `{date}`, `{date_time}` and the OCI `created` label, as the bake
variables they read (whose values bakegen.bakefile.variables.date_variables declares)."""

from __future__ import annotations

from bakegen.matrix.model import MatrixFile
from bakegen.templating import Var

BUILD_DATE, BUILD_TIME = Var("BUILD_DATE"), Var("BUILD_TIME")
CREATED_LABEL = "org.opencontainers.image.created"


def uses_dates(model: MatrixFile) -> set[str]:
    """The date variables a matrix's templates name (a `{{date}}` literal counts too: it
    only declares a variable nobody reads)."""
    text = model.model_dump_json()
    found = {BUILD_TIME.name} if model.image.created else set()
    if "{date}" in text:
        found.add(BUILD_DATE.name)
    if "{date_time}" in text:
        found.add(BUILD_TIME.name)
    return found
