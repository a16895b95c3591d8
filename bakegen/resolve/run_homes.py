"""Checks of the templates only the command `run` expands, made for every command (validate
above all): run.home / run.user_home. (The join's tag templates, which only `manifest`
expands, are checked with the join: joins.tag_problems.)"""

from __future__ import annotations

from bakegen.errors import Problem, TemplateError
from bakegen.matrix.model import MatrixFile
from bakegen.resolve.expand import ValueIds
from bakegen.resolve.scope import Names, distinct
from bakegen.resolve.targets import Target
from bakegen.templating import expand


def home_problems(model: MatrixFile, ids: ValueIds, targets: tuple[Target, ...]) -> list[Problem]:
    """Run homes that cannot work, at their key paths (placed in the file by the caller)."""
    run = model.run
    problems: list[Problem] = []
    for key, template in (("home", run.home), ("user_home", run.user_home)):
        if template is None:
            continue
        cells = ((t.values, t.name) for t in targets if t.kind == "cell")
        for values, name in distinct(template, model.axes, cells):
            try:
                text = expand(template, Names.of(model, ids).scope(values, name))
            except TemplateError as exc:
                problems.append(Problem(path=("run", key), message=exc.message, hint=exc.hint))
                break
            first = text[0] if text else ""
            literal = "".join(p for p in text if isinstance(p, str))
            if not (isinstance(first, str) and first.startswith("/")):
                problems.append(
                    Problem(
                        path=("run", key),
                        message=f"{template!r} is not an absolute path",
                        hint="a home directory inside the container, e.g. /root or /home/ubuntu",
                    )
                )
                break
            bad = sorted({c for c in literal if c in ":,\n\0"})
            if bad:
                # `docker run -v HOST:HOME/.cache/huggingface`: a ':' would start the mount
                # options (`/root:ro` makes the cache read-only), ',' splits --mount fields.
                problems.append(
                    Problem(
                        path=("run", key),
                        message=f"{template!r} has {', '.join(repr(c) for c in bad)}: a home "
                        "is a path, without mount options",
                        hint="a home directory inside the container, e.g. /root or /home/ubuntu",
                    )
                )
                break
    return problems
