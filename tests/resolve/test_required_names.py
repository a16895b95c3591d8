"""Required variables each keep their own check: names that differ only in case would share
one check context, and a user context of that name would be replaced without a word."""

from __future__ import annotations

import pytest

from bakegen.errors import MatrixError
from bakegen.matrix.validate import load_matrix_text
from bakegen.pipeline import compile_matrix

REQUIRED = """\
format: 1
image: {name: app}
defaults: {dockerfile: Dockerfile}
variables:
  USER_UID: {default: "", required_by: {target: dev}}
EXTRA
axes:
  target: {values: {runtime: {stage: runtime}, dev: {stage: dev}}}
"""


def _problem(extra: str) -> str:
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(REQUIRED.replace("EXTRA\n", extra)))
    assert len(caught.value.problems) == 1
    return str(caught.value.problems[0])


def test_required_names_that_differ_only_in_case_are_refused() -> None:
    assert _problem('  user_uid: {default: "", required_by: {target: dev}}\n') == (
        "matrix.yaml:6:3: variables.user_uid: USER_UID and user_uid differ only in case: both "
        "required, they would share the check context 'bakegen-require-user-uid' "
        "(give one of them another name)"
    )


def test_a_user_context_named_like_a_check_context_is_refused() -> None:
    text = REQUIRED.replace("EXTRA\n", "").replace(
        "defaults: {dockerfile: Dockerfile}",
        'defaults: {dockerfile: Dockerfile, contexts: {bakegen-require-user-uid: "docker-image://alpine"}}',
    )
    with pytest.raises(MatrixError) as caught:
        compile_matrix(load_matrix_text(text))
    problem = str(caught.value.problems[0])
    assert problem.startswith("matrix.yaml:3:")
    assert "defaults.contexts.bakegen-require-user-uid" in problem
    assert "names a context 'bakegen-require-user-uid'" in problem


def test_both_checks_stay_when_the_names_differ() -> None:
    text = REQUIRED.replace("EXTRA\n", '  USER_GID: {default: "", required_by: {target: dev}}\n')
    compiled = compile_matrix(load_matrix_text(text))
    dev = next(t for t in compiled.resolution.targets if t.name == "dev")
    assert [k for k, _ in dev.contexts] == ["bakegen-require-user-gid", "bakegen-require-user-uid"]
