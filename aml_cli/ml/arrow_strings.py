"""The bytes of a pyarrow-backed string column, as numpy views: what the fast paths read instead of Python strings.

pandas 3 keeps a `str` column in pyarrow's layout (one UTF-8 buffer and the
offsets of each value), so tokens, tags and numbers can be found in the
buffer itself. Only arrays whose missing values hold no bytes qualify (what
pyarrow's CSV reader and pandas make); anything else is None and the caller
takes its general path.
"""

from __future__ import annotations

import numpy as np


def arrow_text(values):
    """The pyarrow string array (one chunk) behind a pandas text column or Series, or a pyarrow (chunked)
    string array itself; None without pyarrow or for anything else."""
    array = getattr(values, "_pa_array", None)  # a pandas ArrowStringArray
    if array is None:
        array = getattr(getattr(values, "array", None), "_pa_array", values)  # a Series of one
    try:
        import pyarrow as pa
    except ImportError:
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks != 1 else array.chunk(0)
    if not isinstance(array, pa.Array) or not (pa.types.is_large_string(array.type) or pa.types.is_string(array.type)):
        return None
    return array


def string_buffers(values) -> tuple[np.ndarray, np.ndarray] | None:
    """(data, offsets): value i is data[offsets[i]:offsets[i + 1]] (missing ones empty); None if not arrow text.

    `values` is a pandas Series, a pandas ArrowStringArray or a pyarrow (chunked) array.
    """
    array = arrow_text(values)
    if array is None:
        return None
    import pyarrow as pa

    _, offsets_buffer, data_buffer = array.buffers()
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[array.offset : array.offset + len(array) + 1]
    offsets = offsets.astype(np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, dtype=np.uint8)
    if array.null_count and np.diff(offsets)[array.is_null().to_numpy(zero_copy_only=False)].any():
        return None  # bytes under a missing value
    return data[offsets[0] : offsets[-1]], offsets - offsets[0]
