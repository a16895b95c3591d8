"""A family's values with the cell's id as `${_cell.id}`: one template for every cell of a
`matrix` block (families.py), checked against each cell's own value."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any, assert_never

from bakegen.attributes import Kind
from bakegen.bakefile.hcl import Chosen, Expr, Switched
from bakegen.templating import Text, Var

CELL = "_cell"
CELL_ID = Var(f"{CELL}.id")


def alike_templated(column: Sequence[Any], kind: Kind, member_ids: Sequence[str]) -> Any:
    """The value every cell of `column` has with its own id as `${_cell.id}`, or None.

    The first cell's value is templated; every cell is then checked by putting its id back
    into that template, which is exactly what buildx will do."""
    shaped = templated(column[0], kind, member_ids[0])
    if shaped == column[0]:
        return None  # no id to template: the cells differ by more than their ids
    return shaped if _fits(shaped, kind, column, member_ids) else None


def _fits(shaped: Any, kind: Kind, column: Sequence[Any], member_ids: Sequence[str]) -> bool:
    """Whether each cell's value is `shaped` with the cell's own id. Checked a part at a
    time across every cell (a family can have thousands)."""
    if isinstance(shaped, Switched):
        if set(map(type, column)) != {Switched} or {v.flag for v in column} != {shaped.flag}:
            return False
        items = _fits(shaped.items, Kind.TEXT_LIST, [v.items for v in column], member_ids)
        if shaped.always is None:
            return items and all(v.always is None for v in column)
        always = [v.always for v in column]
        return (
            items
            and None not in always
            and _fits(shaped.always, Kind.TEXT_LIST, always, member_ids)
        )
    if kind is Kind.TEXT:
        return Filled(shaped).fits(column, member_ids)
    if kind is Kind.TEXT_LIST:
        if not _tuples_of(len(shaped), column):
            return False
        return all(
            Filled(text).fits(list(map(itemgetter(i), column)), member_ids)
            for i, text in enumerate(shaped)
        )
    raise AssertionError(f"a {kind} value is never templated")


def _tuples_of(length: int, column: Sequence[Any]) -> bool:
    """Whether every value of `column` is a tuple of `length` items (checked in C)."""
    return set(map(type, column)) == {tuple} and set(map(len, column)) == {length}


class Filled:
    """A text holding `${_cell.id}`, split into the parts a cell's own text has (resolve
    joins literal parts): variables, literal text, and literal text around the id (a format
    pattern)."""

    __slots__ = ("_parts",)

    def __init__(self, text: Text) -> None:
        parts: list[tuple[bool, str | Var]] = []  # (is a pattern, the part)
        run: list[str | Var] = []

        def end_run() -> None:
            if CELL_ID in run:
                pattern = "".join(
                    "{0}" if p is CELL_ID else str(p).replace("{", "{{").replace("}", "}}")
                    for p in run
                )
                parts.append((True, pattern))
            elif run:
                parts.append((False, "".join(str(p) for p in run)))
            run.clear()

        for part in text:
            if part is CELL_ID or isinstance(part, str):
                run.append(part)
            else:
                end_run()
                parts.append((False, part))
        end_run()
        self._parts = tuple(parts)

    def fits(self, column: Sequence[Any], member_ids: Sequence[str]) -> bool:
        """Whether each text of `column` is this text with the id beside it."""
        if not _tuples_of(len(self._parts), column):
            return False
        for i, (is_pattern, part) in enumerate(self._parts):
            cells = list(map(itemgetter(i), column))
            if is_pattern:
                assert isinstance(part, str)
                if list(map(part.format, member_ids)) != cells:
                    return False
            elif cells.count(part) != len(cells):
                return False
        return True


def text_with_id(text: str, vid: str, var: Var = CELL_ID) -> Text:
    """`text` with every occurrence of `vid` as the cell's id (`var`)."""
    pieces = text.split(vid)
    out: list[str | Var] = []
    for i, piece in enumerate(pieces):
        if i:
            out.append(var)
        if piece:
            out.append(piece)
    return tuple(out)


def templated_text(text: Text, vid: str, var: Var = CELL_ID) -> Text:
    for part in text:
        if isinstance(part, str) and vid in part:
            break
    else:
        return text  # most texts do not name the cell
    out: list[str | Var] = []
    for part in text:
        if isinstance(part, str) and vid in part:
            out.extend(text_with_id(part, vid, var))
        elif out and isinstance(part, str) and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)


def _templated_texts(texts: tuple[Text, ...], vid: str, var: Var) -> tuple[Text, ...]:
    return tuple(templated_text(t, vid, var) for t in texts)


def templated(value: Any, kind: Kind, vid: str, var: Var = CELL_ID) -> Any:
    """A value of a bake key with the cell's id as `${_cell.id}` in every text (names,
    flags and bakegen's own expressions stay as they are)."""
    if isinstance(value, Switched):
        always = None if value.always is None else _templated_texts(value.always, vid, var)
        return Switched(value.flag, _templated_texts(value.items, vid, var), always)
    if isinstance(value, (Expr, Chosen)):
        return value  # a cache choice stays each cell's own
    match kind:
        case Kind.TEXT:
            return templated_text(value, vid, var)
        case Kind.TEXT_LIST:
            return _templated_texts(value, vid, var)
        case Kind.TEXT_MAP:
            raise AssertionError("maps are compared entry by entry (_alike_entries)")
        case Kind.NAMES | Kind.FLAG | Kind.OTHER:
            return value
        case _:
            assert_never(kind)
