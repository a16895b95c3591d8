"""A bake-variable reference is a value: equal by name, immutable, and kept so by copies."""

from __future__ import annotations

import copy
import pickle

import pytest

from bakegen.templating import Var


def test_references_to_one_variable_are_equal_and_hash_alike() -> None:
    assert Var("VERSION") == Var("VERSION")
    assert hash(Var("VERSION")) == hash(Var("VERSION"))
    assert Var("VERSION") != Var("COMMIT_SHA")
    assert (Var("IMAGE"), ":x") == (Var("IMAGE"), ":x")
    assert {Var("A"): 1}[Var("A")] == 1


def test_a_reference_cannot_be_changed() -> None:
    ref = Var("VERSION")
    with pytest.raises(AttributeError):
        ref.name = "OTHER"
    assert Var("VERSION").name == "VERSION"


def test_copies_and_pickles_stay_equal() -> None:
    ref = Var("CACHE_SCOPE")
    assert copy.copy(ref) == ref == copy.deepcopy(ref)
    assert pickle.loads(pickle.dumps((ref, "-x"))) == (ref, "-x")
    assert repr(ref) == "Var(name='CACHE_SCOPE')"
