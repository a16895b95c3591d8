"""A small evaluator of bake HCL for tests, standing in for `docker buildx bake --print`.

The file is parsed by python-hcl2 (a real HCL2 parser); this module evaluates the parsed
tree the way bake does for the subset of HCL that bake files use: variables with defaults
and environment overrides, global attributes, string templates, conditionals, comparisons,
`concat`, tuples, objects, and `inherits` with bake's merge rules.
"""

from __future__ import annotations

import io
import re
from typing import Any

import hcl2
from lark import Token, Tree

_MAP_ATTRS = {"args", "labels", "contexts"}
_APPEND_ATTRS = {"secret", "cache-from"}
_ESCAPE = re.compile(r'\\(["\\nrt]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})|\$\$\{|%%\{')


def unescape(raw: str) -> str:
    """The text an HCL quoted-string literal part stands for."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        if token == "%%{":
            return "%{"
        code = match.group(1)
        simple = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
        if code in simple:
            return simple[code]
        return chr(int(code[1:], 16))

    return _ESCAPE.sub(one, raw)


def _trees(node: Tree) -> list[Tree]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _label(node: Tree) -> str:
    assert node.data == "string", node
    return "".join(unescape(str(p.children[0])) for p in _trees(node))


class Bake:
    """Every block of one or more bake files, merged in order like bake's file list."""

    def __init__(self, *texts: str, env: dict[str, str] | None = None) -> None:
        self.env = env or {}
        self.variables: dict[str, Tree] = {}
        self.attrs: dict[str, Tree] = {}
        self.targets: dict[str, dict[str, Tree]] = {}
        self.groups: dict[str, dict[str, Tree]] = {}
        self.validations: dict[str, list[dict[str, Tree]]] = {}
        self._values: dict[str, Any] = {}
        for text in texts:
            self._load(text)

    def _load(self, text: str) -> None:
        tree = hcl2.parse_to_tree(io.StringIO(text))
        body = _trees(tree)[0]
        for item in _trees(body):
            if item.data == "attribute":
                name, expr = self._attribute(item)
                self.attrs[name] = expr
            elif item.data == "block":
                kind = str(_trees(item)[0].children[0])
                label = _label(_trees(item)[1])
                attrs = dict(
                    self._attribute(a) for a in _trees(_trees(item)[2]) if a.data == "attribute"
                )
                if kind == "variable":
                    self.variables[label] = attrs.get("default")  # type: ignore[assignment]
                    self.validations[label] = [
                        dict(
                            self._attribute(a)
                            for a in _trees(_trees(b)[1])
                            if a.data == "attribute"
                        )
                        for b in _trees(_trees(item)[2])
                        if b.data == "block"
                    ]
                elif kind == "target":
                    self.targets.setdefault(label, {}).update(attrs)
                elif kind == "group":
                    self.groups.setdefault(label, {}).update(attrs)

    @staticmethod
    def _attribute(node: Tree) -> tuple[str, Tree]:
        ident, expr = _trees(node)
        return str(ident.children[0]), expr

    # -- values ------------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if name in self.variables:
            default = self.eval(self.variables[name]) if self.variables[name] is not None else ""
            if name in self.env:
                raw = self.env[name]
                default = raw.lower() in ("1", "true") if isinstance(default, bool) else raw
            result = default
        elif name in self.attrs:
            result = self.eval(self.attrs[name])
        else:
            raise KeyError(f"undeclared variable {name}")
        self._values[name] = result
        return result

    def eval(self, node: Tree | Token) -> Any:
        if isinstance(node, Token):
            raise TypeError(f"unexpected token {node!r}")
        kind = node.data
        kids = _trees(node)
        if kind == "expr_term":
            return self.eval(kids[0])
        if kind == "literal_value":
            text = str(node.children[0])
            return {"true": True, "false": False, "null": None}.get(text, text)
        if kind == "identifier":
            return self.value(str(node.children[0]))
        if kind == "string":
            parts = [self._part(p) for p in kids]
            if len(parts) == 1 and not isinstance(parts[0], str):
                return parts[0][0]
            return "".join(p if isinstance(p, str) else _to_str(p[0]) for p in parts)
        if kind == "tuple":
            return [self.eval(k) for k in kids]
        if kind == "object":
            out = {}
            for elem in kids:
                key_node, value_node = _trees(elem)
                inner = _trees(key_node)[0]
                inner = _trees(inner)[0] if inner.data == "expr_term" else inner
                key = str(inner.children[0]) if inner.data == "identifier" else self.eval(inner)
                out[key] = self.eval(value_node)
            return out
        if kind == "conditional":
            cond, yes, no = kids
            return self.eval(yes) if self.eval(cond) else self.eval(no)
        if kind == "unary_op":
            value = self.eval(kids[0])
            op = str(node.children[0])
            return (not value) if op == "!" else -value
        if kind == "binary_op":
            left, term = kids
            op_node, right = _trees(term)
            op = str(op_node.children[0])
            a, b = self.eval(left), self.eval(right)
            return {
                "==": lambda: a == b,
                "!=": lambda: a != b,
                "&&": lambda: a and b,
                "||": lambda: a or b,
            }[op]()
        if kind == "function_call":
            name = str(_trees(node)[0].children[0])
            args = [self.eval(a) for a in _trees(kids[1])] if len(kids) > 1 else []
            if name == "concat":
                return [x for arg in args for x in arg]
            if name == "contains":
                return args[1] in args[0]
            raise NotImplementedError(name)
        raise NotImplementedError(kind)

    def _part(self, node: Tree) -> str | tuple[Any]:
        child = node.children[0]
        if isinstance(child, Token):
            return unescape(str(child))
        assert child.data == "interpolation"
        return (self.eval(_trees(child)[0]),)

    def violations(self) -> list[str]:
        """The error messages of every variable validation that fails, as bake reports."""
        out = []
        for name, checks in self.validations.items():
            for check in checks:
                if not self.eval(check["condition"]):
                    out.append(f"{name}: {self.eval(check['error_message'])}")
        return out

    # -- targets -----------------------------------------------------------------------------
    def raw_target(self, name: str) -> dict[str, Any]:
        """A target's own attributes, evaluated, without inheritance."""
        return {k: self.eval(v) for k, v in self.targets[name].items()}

    def target(self, name: str) -> dict[str, Any]:
        """A target as bake resolves it: parents first, in order, then its own attributes."""
        own = self.raw_target(name)
        merged: dict[str, Any] = {}
        for parent in own.get("inherits", []):
            _merge(merged, self.target(parent))
        _merge(merged, {k: v for k, v in own.items() if k != "inherits"})
        return merged

    def group(self, name: str) -> list[str]:
        return list(self.eval(self.groups[name]["targets"]))


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if key in _MAP_ATTRS and isinstance(into.get(key), dict):
            into[key] = {**into[key], **{k: v for k, v in value.items() if v is not None}}
        elif key in _APPEND_ATTRS and isinstance(into.get(key), list):
            into[key] = into[key] + [v for v in value if v not in into[key]]
        else:
            into[key] = value


def _to_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
