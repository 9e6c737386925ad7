"""The fast path of the reader: well-formed records parsed by pyarrow's CSV reader, when that is provably the same.

pandas' C parser (the reader's fallback) turns each string into a Python
object; pyarrow keeps a column's strings in one buffer, about five times
less work (benchmarks/README.md), and pandas 3 stores its `str` columns in
exactly that form. The fast path takes a block only where both parsers give
the same values, checked on the bytes in numpy:

- every record is one line (no quoted line breaks) and no lone CR;
- every quote belongs to a quoted field that starts and ends at a field
  boundary (`""` inside it an escaped quote), so both split and unquote
  alike (the shape check counted the fields the same way);
- every NUMERIC value is empty or a finite number as pyarrow reads it: the
  two parsers accept the same finite numbers and round them alike (pandas
  from 3.1 parses with fast_float, as pyarrow does; older pandas is not
  trusted, see `available`); "nan", which pyarrow reads and pandas refuses,
  and the infinities go to pandas.

Anything else returns None and the block goes to pandas as before.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

NEWLINE, CR, COMMA, QUOTE = 10, 13, 44, 34
_FIELD_END = np.zeros(256, dtype=bool)
_FIELD_END[[COMMA, NEWLINE, CR]] = True


@cache
def available() -> bool:
    """pyarrow imports and pandas parses floats correctly rounded (a value older parsers get 1 ulp wrong)."""
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    import io

    probe = pd.read_csv(io.BytesIO(b"1.700000000000000177635684\n"), header=None, dtype=np.float64, engine="c")
    return float(probe.iat[0, 0]) == 1.7000000000000002


def parse(text: bytes, names: list[str], numeric: set[str], records: int, one_line_each: bool) -> pd.DataFrame | None:
    """The records of `text` (no blank lines; `one_line_each`: none spans lines) as the C parser gives them, or None."""
    if not one_line_each or not _no_lone_cr(text) or not _quotes_are_fields(text):
        return None
    import pyarrow as pa
    from pyarrow import csv

    try:
        table = csv.read_csv(
            pa.py_buffer(text),
            read_options=csv.ReadOptions(column_names=names, use_threads=False, block_size=max(len(text), 1 << 16)),
            parse_options=csv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                                           newlines_in_values=False, ignore_empty_lines=False),
            convert_options=csv.ConvertOptions(column_types={name: pa.float64() if name in numeric else pa.string()
                                                             for name in names}, null_values=[""],
                                               strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if table.num_rows != records:
        return None
    columns: dict[str, object] = {}
    for name, column in zip(names, table.columns, strict=True):
        if name in numeric:
            numbers = _finite_numbers(column)
            if numbers is None:
                return None
            columns[name] = numbers
        else:
            columns[name] = column.to_pandas()
    return pd.DataFrame(columns, copy=False)


def _no_lone_cr(text: bytes) -> bool:
    """Every CR is part of a CRLF (pandas would end a line at a lone one)."""
    return b"\r" not in text or text.count(b"\r") == text.count(b"\r\n")


def _quotes_are_fields(text: bytes) -> bool:
    """Every quote opens a field at its start, closes it at its end, or is half of an escaped `""` inside one.

    Records reach here with an even number of quotes each, so quotes pair up
    in order across the text: the even ones open, the odd ones close.
    """
    if b'"' not in text:
        return True
    data = np.frombuffer(text, dtype=np.uint8)
    at = np.flatnonzero(data == QUOTE)
    opens, closes = at[0::2], at[1::2]
    if len(opens) != len(closes):
        return False
    before = data[np.maximum(opens - 1, 0)]
    escaped_open = np.concatenate(([False], opens[1:] == closes[:-1] + 1))
    opens_ok = (opens == 0) | (before == COMMA) | (before == NEWLINE) | escaped_open
    after = data[np.minimum(closes + 1, len(data) - 1)]
    escaped_close = np.concatenate((closes[:-1] + 1 == opens[1:], [False]))
    closes_ok = (closes == len(data) - 1) | _FIELD_END[after] | escaped_close
    return bool(opens_ok.all() and closes_ok.all())


def _finite_numbers(column) -> np.ndarray | None:
    """float64 of a NUMERIC column (missing: NaN) when every present value is a finite number, else None.

    The two parsers accept the same finite numbers and read them alike; they
    differ on "nan" (pyarrow reads it, pandas' C parser refuses it and types
    the block as text), so a NaN or an infinity sends the block to pandas.
    """
    values = column.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    finite = np.isfinite(values)
    if not finite.all():
        present = ~column.is_null().to_numpy(zero_copy_only=False)
        if (present & ~finite).any():
            return None
    return values
