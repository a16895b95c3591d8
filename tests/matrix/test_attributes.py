"""The attribute registry is the one list of target attributes: every model field has a row,
every row a field, and a golden case sets each of them once."""

from __future__ import annotations

from pathlib import Path

import yaml

from bakegen.attributes import ATTRIBUTES, BAKE_KEYS, PASSED_THROUGH, Kind, Merge
from bakegen.matrix.model import Attributes

EVERY = Path(__file__).parents[1] / "cases" / "every-attribute" / "matrix.yaml"


def test_every_model_field_has_a_registry_row_and_every_row_a_field() -> None:
    assert {a.name for a in ATTRIBUTES} == set(Attributes.model_fields)


def test_merge_rules_match_the_model_types() -> None:
    """Maps merge by key (so null can remove a key); everything else replaces. A key-by-key
    attribute's default sets no key (a dict, or a model of keys such as `cache`)."""
    for row in ATTRIBUTES:
        if row.merge is Merge.BY_KEY:
            default = Attributes.model_fields[row.name].default_factory
            assert default is not None, row.name
            assert dict(default().items()) == {}, row.name


def test_bake_keys_are_unique_and_passed_through_rows_have_a_writable_kind() -> None:
    keys = [k.key for k in BAKE_KEYS]
    assert len(keys) == len(set(keys))
    for row in PASSED_THROUGH:
        assert row.kind not in (Kind.OTHER, Kind.TEXT_MAP) or row.merge is Merge.BY_KEY


def test_the_every_attribute_case_sets_every_attribute() -> None:
    data = yaml.safe_load(EVERY.read_text())
    blocks = [data["defaults"], *data["shared"].values()]
    blocks += [v or {} for axis in data["axes"].values() for v in axis["values"].values()]
    assert {key for block in blocks for key in block} >= set(Attributes.model_fields)
