"""Stage 1, load: matrix YAML files → plain data with the position of every key.

In: paths or text of matrix files (and the files they `extend`). Out: plain Python data
and a `Source` that locates every key path in its file. Nothing here knows the matrix format.
"""
