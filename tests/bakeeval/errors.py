"""The one error type the evaluator raises: bake refused the files."""

from __future__ import annotations


class BakeError(Exception):
    """What `docker buildx bake --print` would refuse, with bake's wording where it is modelled.

    `detail` is the part of bake's message that the evaluator reproduces word for word (tests
    look for it in the recorded error); `where` is FILE:LINE,COL when the error has a place.
    """

    def __init__(self, detail: str, summary: str = "", where: str = "") -> None:
        self.detail = detail
        self.summary = summary
        self.where = where
        text = f"{summary}; {detail}" if summary else detail
        super().__init__(f"{where}: {text}" if where else text)
