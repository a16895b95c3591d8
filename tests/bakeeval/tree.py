"""The parsed form of a bake file, shared by the HCL and the HCL-JSON readers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    """One expression: `kind` names it, `args` holds its parts, `pos` is FILE:LINE,COL."""

    kind: str
    args: tuple[Any, ...]
    pos: str = ""


@dataclass
class Attribute:
    name: str
    expr: Node
    pos: str = ""


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body
    pos: str = ""


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


def lit(value: Any, pos: str = "") -> Node:
    return Node("lit", (value,), pos)
