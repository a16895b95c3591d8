"""Evaluation of HCL expressions and templates to values (see values.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tests.bakeeval import functions
from tests.bakeeval.errors import BakeError
from tests.bakeeval.tree import Node
from tests.bakeeval.values import number_text, to_bool, to_number, to_string, type_name

Lookup = Callable[[str, Node], Any]


class Evaluator:
    """Evaluates expressions; names not bound locally go to `lookup`, calls to `user_call`."""

    def __init__(
        self, lookup: Lookup, user_call: Callable[[str, list[Any], Node], Any] | None = None
    ) -> None:
        self.lookup = lookup
        self.user_call = user_call

    def eval(self, node: Node, scope: dict[str, Any] | None = None) -> Any:
        scope = scope or {}
        method = getattr(self, "_" + node.kind)
        return method(node, scope)

    # -- leaves ------------------------------------------------------------------------------
    def _lit(self, node: Node, scope: dict[str, Any]) -> Any:
        value = node.args[0]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(str(value))
        return value

    def _key(self, node: Node, scope: dict[str, Any]) -> Any:
        return node.args[0]

    def _var(self, node: Node, scope: dict[str, Any]) -> Any:
        name = node.args[0]
        if name in scope:
            return scope[name]
        return self.lookup(name, node)

    def _paren(self, node: Node, scope: dict[str, Any]) -> Any:
        return self.eval(node.args[0], scope)

    # -- templates ---------------------------------------------------------------------------
    def _wrap(self, node: Node, scope: dict[str, Any]) -> Any:
        return self.eval(node.args[0], scope)

    def _tmpl(self, node: Node, scope: dict[str, Any]) -> str:
        return "".join(self._parts(node.args[0], scope))

    def _parts(self, parts: list[Any], scope: dict[str, Any]) -> list[str]:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif part.kind == "tif":
                cond, then, other = part.args
                out += self._parts(then if self._truth(cond, scope) else other, scope)
            elif part.kind == "tfor":
                key, value, coll, body = part.args
                for k, v in _items(self.eval(coll, scope), coll):
                    inner = {**scope, value: v, **({key: k} if key else {})}
                    out += self._parts(body, inner)
            else:
                out.append(self._interpolate(part, scope))
        return out

    def _interpolate(self, node: Node, scope: dict[str, Any]) -> str:
        value = self.eval(node, scope)
        if value is None:
            raise BakeError(
                "The expression result is null. Cannot include a null value in a string template.",
                "Invalid template interpolation value",
                node.pos,
            )
        try:
            return to_string(value)
        except TypeError as e:
            raise BakeError(
                f"Cannot include the given value in a string template: {e}.",
                "Invalid template interpolation value",
                node.pos,
            ) from None

    # -- collections -------------------------------------------------------------------------
    def _tuple(self, node: Node, scope: dict[str, Any]) -> list[Any]:
        return [self.eval(x, scope) for x in node.args[0]]

    def _object(self, node: Node, scope: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key_node, value_node in node.args[0]:
            key = self.eval(key_node, scope)
            if key is None:
                raise BakeError(
                    "Can't use a null value as a key.", "Invalid object key", key_node.pos
                )
            out[to_string(key)] = self.eval(value_node, scope)
        return out

    def _forlist(self, node: Node, scope: dict[str, Any]) -> list[Any]:
        key, value, coll, expr, cond = node.args
        out = []
        for k, v in _items(self.eval(coll, scope), coll):
            inner = {**scope, value: v, **({key: k} if key else {})}
            if cond is None or self._truth(cond, inner):
                out.append(self.eval(expr, inner))
        return out

    def _formap(self, node: Node, scope: dict[str, Any]) -> dict[str, Any]:
        key, value, coll, kexpr, vexpr, cond, group = node.args
        out: dict[str, Any] = {}
        for k, v in _items(self.eval(coll, scope), coll):
            inner = {**scope, value: v, **({key: k} if key else {})}
            if cond is None or self._truth(cond, inner):
                name = to_string(self.eval(kexpr, inner))
                item = self.eval(vexpr, inner)
                if group:
                    out.setdefault(name, []).append(item)
                elif name in out:
                    raise BakeError(
                        f'Two different items produced the key "{name}".',
                        "Duplicate object key",
                        node.pos,
                    )
                else:
                    out[name] = item
        return out

    def _index(self, node: Node, scope: dict[str, Any]) -> Any:
        coll = self.eval(node.args[0], scope)
        key = self.eval(node.args[1], scope)
        try:
            if isinstance(coll, list):
                return coll[int(to_number(key))]
            if isinstance(coll, dict):
                return coll[to_string(key)]
        except (IndexError, KeyError, TypeError):
            pass
        raise BakeError(
            "The given key does not identify an element in this collection value.",
            "Invalid index",
            node.pos,
        )

    def _attr(self, node: Node, scope: dict[str, Any]) -> Any:
        base, name = node.args
        root = base.args[0] if base.kind == "attr" else None
        block_kind = root.args[0] if root is not None and root.kind == "var" else None
        if block_kind in ("target", "group") and block_kind not in scope:
            # target.NAME.ATTR: another block's own attribute
            return self.lookup(f"{block_kind}.{base.args[1]}.{name}", node)
        obj = self.eval(base, scope)
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        raise BakeError(
            f'This object does not have an attribute named "{name}".',
            "Unsupported attribute",
            node.pos,
        )

    def _splat(self, node: Node, scope: dict[str, Any]) -> Any:
        value = self.eval(node.args[0], scope)
        return value if isinstance(value, list) else ([] if value is None else [value])

    # -- operators ---------------------------------------------------------------------------
    def _truth(self, node: Node, scope: dict[str, Any]) -> bool:
        value = self.eval(node, scope)
        if value is None:
            raise BakeError("The condition value is null.", "Null condition", node.pos)
        try:
            return to_bool(value)
        except TypeError:
            raise BakeError(
                "The condition expression must be of type bool.",
                "Incorrect condition type",
                node.pos,
            ) from None

    def _cond(self, node: Node, scope: dict[str, Any]) -> Any:
        cond, yes, no = node.args
        chosen = self._truth(cond, scope)
        a, b = self.eval(yes, scope), self.eval(no, scope)
        if a is not None and b is not None:
            ta, tb = type_name(a), type_name(b)
            collections = {"tuple", "object"}
            if ta != tb and (ta in collections or tb in collections):
                raise BakeError(
                    "The true and false result expressions must have consistent types. "
                    f"The 'true' value is {ta}, but the 'false' value is {tb}.",
                    "Inconsistent conditional result types",
                    node.pos,
                )
            if ta != tb:
                return to_string(a if chosen else b)
        return a if chosen else b

    def _un(self, node: Node, scope: dict[str, Any]) -> Any:
        op, operand = node.args
        value = self.eval(operand, scope)
        try:
            return (not to_bool(value)) if op == "!" else -to_number(value)
        except TypeError as e:
            raise BakeError(
                f"Unsuitable value for unary operand: {e}.", "Invalid operand", node.pos
            ) from None

    def _bin(self, node: Node, scope: dict[str, Any]) -> Any:
        op, left, right = node.args
        a, b = self.eval(left, scope), self.eval(right, scope)
        if op in ("==", "!="):
            same = functions.equal(a, b)
            return same if op == "==" else not same
        try:
            if op in ("&&", "||"):
                x, y = to_bool(a), to_bool(b)
                return (x and y) if op == "&&" else (x or y)
            x, y = to_number(a), to_number(b)
        except TypeError as e:
            raise BakeError(
                f"Unsuitable value for operand: {e}.", "Invalid operand", node.pos
            ) from None
        if op in ("/", "%") and y == 0:
            raise BakeError("Can't divide by zero.", "Operation failed", node.pos)
        return {
            "+": lambda: x + y,
            "-": lambda: x - y,
            "*": lambda: x * y,
            "/": lambda: x / y,
            "%": lambda: x % y,
            "<": lambda: x < y,
            ">": lambda: x > y,
            "<=": lambda: x <= y,
            ">=": lambda: x >= y,
        }[op]()

    # -- calls -------------------------------------------------------------------------------
    def _call(self, node: Node, scope: dict[str, Any]) -> Any:
        name, arg_nodes, expand = node.args
        if name in ("try", "can"):
            return self._try(name, arg_nodes, scope)
        args = [self.eval(a, scope) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            args += list(last.values() if isinstance(last, dict) else last or [])
        if self.user_call is not None:
            found, result = self.user_call(name, args, node)
            if found:
                return result
        if name not in functions.STDLIB:
            raise BakeError(
                f'There is no function named "{name}".', "Call to unknown function", node.pos
            )
        try:
            return functions.STDLIB[name](*args)
        except (TypeError, ValueError, IndexError, KeyError) as e:
            raise BakeError(
                f'Call to function "{name}" failed: {e}.', "Error in function call", node.pos
            ) from None

    def _try(self, name: str, arg_nodes: list[Node], scope: dict[str, Any]) -> Any:
        for arg in arg_nodes:
            try:
                value = self.eval(arg, scope)
            except BakeError:
                if name == "can":
                    return False
                continue
            return True if name == "can" else value
        raise BakeError("no expression succeeded", "Error in function call")


def _items(coll: Any, node: Node) -> list[tuple[Any, Any]]:
    if isinstance(coll, list):
        return [(Decimal(i), v) for i, v in enumerate(coll)]
    if isinstance(coll, dict):
        return sorted(coll.items())
    raise BakeError(
        f"A {type_name(coll)} value cannot be used as the collection in a 'for' expression.",
        "Iteration over non-iterable value",
        node.pos,
    )


__all__ = ["Evaluator", "number_text"]
