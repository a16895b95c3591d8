"""Claims in the docs that real buildx settled (see the bake conformance notes)."""

from __future__ import annotations

from tests.support import ROOT


def test_migration_guide_says_set_cache_from_replaces_the_list() -> None:
    # Real `docker buildx bake --set t.cache-from=S` replaces the file's list; `+=` appends.
    text = (ROOT / "docs" / "migration.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `--cache-from S` |"))
    assert "`--set 'TARGET.cache-from+=S'`" in row
    assert "`--set 'TARGET.cache-from=S'` replaces the whole list" in row
    assert "more with `--set 'TARGET.cache-from=S'`" not in text
