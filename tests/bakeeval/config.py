"""From parsed files to bake's configuration: variables checked, blocks named (matrix) and
decoded, same-name targets merged, groups collected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.bakeeval import model
from tests.bakeeval.errors import BakeError
from tests.bakeeval.evaluate import Evaluator
from tests.bakeeval.tree import Block, Body, Node
from tests.bakeeval.values import to_bool, to_string
from tests.bakeeval.variables import Names

NAME_PATTERN = re.compile(r"[a-zA-Z0-9_-]+")
_BLOCK_TYPES = ("target", "group")


@dataclass
class Group:
    name: str
    description: str = ""
    targets: list[str] = field(default_factory=list)


@dataclass
class Config:
    groups: list[Group]
    targets: list[model.Target]
    names: Names

    def group(self, name: str) -> Group | None:
        return next((g for g in self.groups if g.name == name), None)

    def target(self, name: str) -> model.Target | None:
        return next((t for t in self.targets if t.name == name), None)


def _first_and_count(errors: list[BakeError]) -> BakeError:
    first = errors[0]
    if len(errors) == 1:
        return first
    return BakeError(
        f"{first.detail}, and {len(errors) - 1} other diagnostic(s)", first.summary, first.where
    )


def _check_labels(block: Block) -> None:
    if not block.labels:
        raise BakeError(
            f"All {block.type} blocks must have 1 labels (name).",
            f"Missing name for {block.type}",
            block.pos,
        )
    if len(block.labels) > 1:
        raise BakeError(
            f"Only 1 labels (name) are expected for {block.type} blocks.",
            f"Extraneous label for {block.type}",
            block.pos,
        )


def validate_name(name: str, where: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise BakeError('only "[a-zA-Z0-9_-]+" are allowed', "Invalid name", where)


def _check(evaluator: Evaluator, check: Block) -> None:
    attrs = check.body.attributes
    null = "Condition expression must return either true or false, not null."
    if "condition" not in attrs:
        raise BakeError(null, "Invalid condition result", check.pos)
    result = evaluator.eval(attrs["condition"].expr)
    if result is None:
        raise BakeError(null, "Invalid condition result", check.pos)
    try:
        passed = to_bool(result)
    except TypeError as e:
        raise BakeError(
            f"Invalid condition result value: {e}", "Invalid condition result", check.pos
        ) from None
    if not passed:
        message = evaluator.eval(attrs["error_message"].expr) if "error_message" in attrs else None
        if message is None:
            message = "This check failed, but has an invalid error message."
        raise BakeError(to_string(message), "Validation failed", check.pos)


class Reader:
    def __init__(self, bodies: list[Body], env: dict[str, str], builtins: dict[str, str]) -> None:
        self.names = Names(env, builtins)
        self.names.block_lookup = self._block_attr
        self.blocks: list[Block] = []
        self.scopes: dict[int, list[dict[str, Any]]] = {}
        self.block_names: dict[int, list[str]] = {}
        self._refs_in_progress: set[str] = set()
        reserved = set(_BLOCK_TYPES) | set(builtins)
        for body in bodies:
            for block in body.blocks:
                if block.type in ("variable", "function", *_BLOCK_TYPES):
                    _check_labels(block)
                if block.type == "variable" and block.labels[0] not in reserved:
                    self.names.variables[block.labels[0]] = block
                elif block.type == "function" and block.labels[0] not in reserved:
                    self.names.functions[block.labels[0]] = block
                elif block.type in _BLOCK_TYPES:
                    self.blocks.append(block)
            for name, attr in body.attributes.items():
                if name not in reserved and name != "function":
                    self.names.attributes[name] = attr

    # -- the steps of bake's parser, in its order -------------------------------------------
    def read(self) -> Config:
        self.resolve_variables()
        failures = [e for _, e in self.violations()]
        if failures:
            raise _first_and_count(failures)
        return self.finish()

    def resolve_variables(self) -> None:
        for name in list(self.names.variables):
            try:
                self.names.resolve(name)
            except BakeError as e:
                if e.summary:
                    raise
                raise BakeError(
                    e.detail, "Invalid expression", self.names.variables[name].pos
                ) from None

    def finish(self) -> Config:
        for block in self.names.functions.values():
            for needed in ("params", "result"):
                if needed not in block.body.attributes:
                    raise BakeError(
                        f"empty {needed} not allowed for {block.labels[0]}",
                        "Invalid function",
                        block.pos,
                    )
        for block in self.blocks:
            self._names_of(block)
        decoded, errors = [], []
        for block in self.blocks:
            try:
                decoded.append((block, self._decode(block)))
            except BakeError as e:
                errors.append(e)
        if errors:
            raise _first_and_count(errors)
        for name in list(self.names.attributes):
            self.names.lookup(name, self.names.attributes[name].expr)
        return self._assemble(decoded)

    def violations(self) -> list[tuple[str, BakeError]]:
        """Every failing validation block (bake reports the first and a count), by variable.

        Conditions see only variables (and the top-level attributes they use), as in bake.
        """
        known = self.names.values

        def lookup(name: str, node: Node) -> Any:
            if name in known:
                return known[name]
            raise BakeError(f'There is no variable named "{name}".', "Unknown variable", node.pos)

        evaluator = Evaluator(lookup)
        errors: list[tuple[str, BakeError]] = []
        for name, block in self.names.variables.items():
            for check in (b for b in block.body.blocks if b.type == "validation"):
                try:
                    _check(evaluator, check)
                except BakeError as e:
                    errors.append((name, e))
        return errors

    # -- names and matrix --------------------------------------------------------------------
    def _scopes(self, block: Block) -> list[dict[str, Any]]:
        if id(block) in self.scopes:
            return self.scopes[id(block)]
        attrs = block.body.attributes
        scopes: list[dict[str, Any]] = [{}]
        if "matrix" in attrs:
            if block.type == "group":
                raise BakeError("matrix is not supported for groups", "Invalid name", block.pos)
            matrix = self.names.evaluator.eval(attrs["matrix"].expr)
            if not isinstance(matrix, dict):
                raise BakeError("matrix must be a map", "Invalid name", block.pos)
            for key, values in matrix.items():
                if not isinstance(values, list):
                    raise BakeError("matrix values must be a list", "Invalid name", block.pos)
                scopes = [{**s, key: v} for v in values for s in scopes]
        self.scopes[id(block)] = scopes
        return scopes

    def _names_of(self, block: Block) -> list[str]:
        if id(block) in self.block_names:
            return self.block_names[id(block)]
        attrs = block.body.attributes
        names = []
        for scope in self._scopes(block):
            label = block.labels[0]
            validate_name(label, block.pos)
            name = label
            if block.type == "group" and "name" in attrs:
                raise BakeError("name is not supported for groups", "Invalid name", block.pos)
            if "name" in attrs:
                if "matrix" not in attrs:
                    raise BakeError("name requires matrix", "Invalid name", block.pos)
                name = to_string(self.names.evaluator.eval(attrs["name"].expr, scope))
                validate_name(name, block.pos)
            names.append(name)
        for i, name in enumerate(names):
            if name in names[:i]:
                raise BakeError(f'duplicate name "{name}"', "Invalid name", block.pos)
        self.block_names[id(block)] = names
        return names

    # -- decoding ----------------------------------------------------------------------------
    def _decode(self, block: Block) -> list[Any]:
        out = []
        for name, scope in zip(self._names_of(block), self._scopes(block), strict=True):
            if block.type == "group":
                out.append(self._group(block, name, scope))
            else:
                target = model.Target(name)
                for key in model.FIELDS:
                    if key in block.body.attributes:
                        target.f[key] = self._field(block, key, scope)
                out.append(target)
        return out

    def _field(self, block: Block, key: str, scope: dict[str, Any]) -> Any:
        attr = block.body.attributes[key]
        value = self.names.evaluator.eval(attr.expr, scope)
        try:
            return model.decode(key, value)
        except model.DecodeError as e:
            raise BakeError(f"Unsuitable value: {e}", "Unsuitable value type", attr.pos) from None

    def _group(self, block: Block, name: str, scope: dict[str, Any]) -> Group:
        attrs = block.body.attributes
        if "targets" not in attrs:
            raise BakeError(
                'The argument "targets" is required, but no definition was found.',
                "Missing required argument",
                block.pos,
            )
        targets = self.names.evaluator.eval(attrs["targets"].expr, scope)
        description = (
            self.names.evaluator.eval(attrs["description"].expr, scope)
            if "description" in attrs
            else ""
        )
        if not isinstance(targets, list):
            raise BakeError(
                "Unsuitable value: list of string required",
                "Unsuitable value type",
                attrs["targets"].pos,
            )
        return Group(name, to_string(description or ""), [to_string(t) for t in targets])

    def _block_attr(self, path: str, node: Node) -> Any:
        kind, name, attr = path.split(".", 2)
        if path in self._refs_in_progress:
            raise BakeError(
                f"reference cycle not allowed for {path}", "Invalid expression", node.pos
            )
        found = None
        for block in self.blocks:
            if block.type == kind and name in self._names_of(block):
                found = block, self._scopes(block)[self._names_of(block).index(name)]
        if found is None:
            raise BakeError(f'There is no variable named "{kind}".', "Unknown variable", node.pos)
        block, scope = found
        if attr not in block.body.attributes:
            return None
        self._refs_in_progress.add(path)
        try:
            return (
                self._field(block, attr, scope)
                if kind == "target" and attr in model.FIELDS
                else self.names.evaluator.eval(block.body.attributes[attr].expr, scope)
            )
        finally:
            self._refs_in_progress.discard(path)

    # -- assembling --------------------------------------------------------------------------
    def _assemble(self, decoded: list[tuple[Block, list[Any]]]) -> Config:
        groups: list[Group] = []
        targets: list[model.Target] = []
        renamed: dict[str, list[str]] = {}
        for block, values in decoded:
            if block.type == "target" and self._names_of(block):
                renamed.setdefault(block.labels[0], []).extend(self._names_of(block))
            for value in values:
                if isinstance(value, Group):
                    old = next((i for i, g in enumerate(groups) if g.name == value.name), None)
                    if old is None:
                        groups.append(value)
                    else:
                        groups[old] = value
                else:
                    existing = next((t for t in targets if t.name == value.name), None)
                    if existing is None:
                        targets.append(value)
                    else:
                        existing.merge(value)
        for label, names in renamed.items():
            names = list(dict.fromkeys(names))
            if not (len(names) == 1 and names[0] == label):
                groups.append(Group(label, "", names))
        for group in groups:
            group.targets = list(dict.fromkeys(group.targets))
        return Config(groups, targets, self.names)
