"""BuildKit's `# check=` directive (and the `BUILDKIT_DOCKERFILE_CHECK` build arg): which of its
Dockerfile checks run, and whether their findings fail the build.

`# check=skip=RuleA,RuleB;error=true` counts only among the directives at the very top of the
Dockerfile (`# syntax=`, `# escape=`, `# check=`, before any other line). A `# check=skip=…`
comment among those right above an instruction adds skips for the checks BuildKit runs on that
instruction (all but the ones on the whole file's stage table and casing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bakegen.errors import CheckOptionError

_DIRECTIVE = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_KNOWN_DIRECTIVES = ("syntax", "escape", "check")

CHECK_ARG = "BUILDKIT_DOCKERFILE_CHECK"


@dataclass(frozen=True)
class CheckConfig:
    skip: frozenset[str] = frozenset()
    skip_all: bool = False
    error: bool = False

    def runs(self, rule: str) -> bool:
        return not self.skip_all and rule not in self.skip

    def merged(self, other: CheckConfig) -> CheckConfig:
        """`other`'s skips added (as BuildKit merges a comment's options; `error` stays)."""
        return CheckConfig(
            skip=self.skip | other.skip,
            skip_all=self.skip_all or other.skip_all,
            error=self.error,
        )


def parse_options(text: str) -> CheckConfig:
    """`skip=all`, `skip=A,B`, `error=true`, joined with `;`."""
    text = text.strip()
    if not text:
        return CheckConfig()
    skip: set[str] = set()
    skip_all = error = False
    for part in text.split(";", 2):
        key, sep, value = part.partition("=")
        if not sep:
            raise CheckOptionError(f"invalid check option {part!r}")
        key, value = key.strip(), value.strip()
        if key == "skip":
            if value == "all":
                skip_all = True
            else:
                skip |= {rule.strip() for rule in value.split(",")}
        elif key == "error":
            if value.lower() not in ("true", "false", "1", "0", "t", "f"):
                raise CheckOptionError(f"check option error={value!r} is not a boolean")
            error = value.lower() in ("true", "1", "t")
        elif key != "experimental":
            raise CheckOptionError(f"invalid check option {key!r}")
    return CheckConfig(frozenset(skip), skip_all, error)


def header_directive(lines: list[str]) -> tuple[str, int] | None:
    """The value of `# check=` among the top-of-file directives, with its line."""
    start = 1 if lines and lines[0].startswith("#!") else 0
    for number, raw in enumerate(lines[start:], start + 1):
        line = raw.removeprefix("\ufeff") if number == 1 else raw
        if not line.startswith("#"):
            return None
        match = _DIRECTIVE.match(line[1:].lstrip())
        if not match or match.group(1).lower() not in _KNOWN_DIRECTIVES:
            return None
        if match.group(1).lower() == "check":
            return match.group(2).split(" ", 1)[0], number
    return None


def comment_directive(lines: list[str], start: int, previous_end: int) -> CheckConfig | None:
    """A `# check=` comment among the comment lines between the previous instruction (ending
    at line `previous_end`) and the instruction starting at line `start`."""
    found = None
    for raw in lines[previous_end : start - 1]:
        line = raw.strip()
        if line == "#":
            found = None  # an empty comment line starts the comments over, as in BuildKit
            continue
        if not line.startswith("#") or found is not None:
            continue
        match = _DIRECTIVE.match(line[1:].strip())
        if match and match.group(1).lower() == "check":
            try:
                found = parse_options(match.group(2).split(" ", 1)[0])
            except CheckOptionError:
                found = None
    return found
