"""Tag checks: the fast path for ordinary tags decides exactly as the full rule does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bakegen.matrix import tags
from bakegen.templating import Text, Var, join

# Literal parts drawn from tag characters and the characters that make a tag illegal.
_parts = st.one_of(
    st.text(alphabet="aZ09_.-:/ @é", max_size=70),
    st.sampled_from([Var("VERSION"), Var("IMAGE"), Var("CACHE_SCOPE")]),
)


@given(st.lists(_parts, max_size=5))
def test_fast_path_agrees_with_the_full_rule(parts: list[str | Var]) -> None:
    text: Text = tuple(p for p in parts if p != "")
    assert tags.tag_problem(text) == tags._tag_problem(text)


def test_the_fast_path_refuses_what_the_full_rule_refuses() -> None:
    too_long = ("a" * 129,)
    assert tags.tag_problem(too_long) is not None
    assert tags.tag_problem(("-v1",)) is not None
    assert tags.tag_problem((".v1", Var("VERSION"))) is not None
    assert tags.tag_problem(()) is not None
    assert tags.tag_problem(("v1", Var("VERSION"), "-cuda12")) is None


@given(st.lists(_parts, max_size=5))
def test_image_tag_puts_a_bare_tag_under_the_image(parts: list[str | Var]) -> None:
    text = join(*(p if isinstance(p, str) else (p,) for p in parts))
    if any(isinstance(p, str) and ":" in p for p in text):
        assert tags.image_tag(text) == text
    else:
        assert tags.image_tag(text) == join((tags.IMAGE,), ":", text)


@given(st.lists(_parts, max_size=5))
def test_the_plain_reference_is_the_image_tag_of_a_legal_tag(parts: list[str | Var]) -> None:
    text = join(*(p if isinstance(p, str) else (p,) for p in parts))
    reference = tags.plain_reference(text)
    if reference is not None:
        assert tags.tag_problem(text) is None
        assert reference == tags.image_tag(text)
    elif tags.tag_problem(text) is None:
        # Only tags the full rule must judge are left to it: ones holding a ':' reference.
        assert any(isinstance(p, str) and ":" in p for p in text)
