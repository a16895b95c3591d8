"""Stage 6, lay out: resolved targets → the blocks of one bake file.

In: the `Target` records of resolve/. Out: a `BakeFile`, a plain value holding the variables,
parents, families, targets and groups in the order they are written; the writers in render/
only print it.
"""
