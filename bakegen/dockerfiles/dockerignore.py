"""`.dockerignore` matching, as BuildKit applies it to a build context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


def _regex(pattern: str) -> re.Pattern[str]:
    """A Go filepath.Match pattern with `**`, as a regex over slash-separated paths."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):
                i += 1
                out.append("(?:.*/)?")
            else:
                out.append(".*")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("^"):
                    body = "!" + body[1:]
                out.append("[" + body.replace("!", "^", 1) + "]")
                i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class DockerIgnore:
    """Rules in file order; the last rule that matches a path (or one of its parent
    directories) decides, and `!` rules re-include."""

    rules: tuple[tuple[bool, re.Pattern[str]], ...]

    @classmethod
    def parse(cls, text: str) -> DockerIgnore:
        rules = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = line[1:].strip() if keep else line
            pattern = re.sub(r"/+", "/", pattern).strip("/")
            if pattern in ("", "."):
                continue
            rules.append((keep, _regex(pattern)))
        return cls(tuple(rules))

    @classmethod
    def load(cls, context: Path) -> DockerIgnore:
        return cls.load_file(context / ".dockerignore")

    @classmethod
    def load_file(cls, path: Path) -> DockerIgnore:
        try:
            return cls.parse(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return cls(())

    def excluded(self, path: str) -> bool:
        """Whether a context-relative path is left out of the context.

        >>> rules = DockerIgnore.parse("docs\\n**/*.md\\n!keep.md")
        >>> [rules.excluded(p) for p in ("docs/a.txt", "x/y.md", "keep.md", "src/a.py")]
        [True, True, False, False]
        """
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        verdict = False
        for keep, regex in self.rules:
            if any(regex.match(p) for p in prefixes):
                verdict = not keep
        return verdict
