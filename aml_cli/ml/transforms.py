"""The recipe transformations, vectorised, in two forms.

String form (``lowercase``, ``no_punct``, ``split_punct``, ``tokenize``, ``ngram``, ``osb``,
``cartesian``): pandas Series in, Series out, readable and exact; they define
what each transformation means and are what the tests and logs use.

Hashed form (``token_stream``, ``ngram_stream``, ``osb_stream``,
``cross_stream``): what the featuriser runs. Text is never split into Python
strings: a whole column is joined into one UTF-8 buffer, tokens are found as
runs of non-blank bytes and hashed in place (``hashing.hash_spans``), and
n-grams, OSB pairs and crosses are folds of token hashes. A token stream is
(row of each token, its hash), rows ascending, tokens in text order.

Conventions shared by both forms:
- tokens are separated by whitespace as ``str.split()`` sees it; punctuation
  stays part of a token unless ``no_punct`` strips it;
- ``no_punct`` strips ASCII punctuation (``string.punctuation``) from the
  start and end of each token and drops tokens left empty;
- ``split_punct`` (aml's addition) reads every ASCII punctuation character as
  a space, so it also separates words (``https://t.co/x`` is ``https t co x``);
- missing text has no tokens; numeric missing values get their own bin
  (``quantile_bin``) or 0 (``normalize``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aml_cli.ml import hashing
from aml_cli.ml.arrow_strings import string_buffers

_PUNCT_CLASS = "[" + re.escape(string.punctuation) + "]+"
_EDGE_PUNCT = re.compile(rf"(?<!\S){_PUNCT_CLASS}|{_PUNCT_CLASS}(?!\S)")
_ROW_MARK = "\x01"
# Bytes str.split() treats as whitespace, plus the row mark.
_BLANK = np.zeros(256, dtype=bool)
_BLANK[[1, 9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[65:91] += 32
_PUNCT = np.zeros(256, dtype=bool)
_PUNCT[[ord(c) for c in string.punctuation]] = True
_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")
_NGRAM_TAG = hashing.tag("ngram")
_OSB_TAG = hashing.tag("osb")
_CROSS_TAG = hashing.tag("cartesian")


# ---- string form -----------------------------------------------------------

def lowercase(text: pd.Series) -> pd.Series:
    """Lower-case every value (missing stays missing)."""
    return text.str.lower()


def no_punct(text: pd.Series) -> pd.Series:
    """Strip punctuation at both ends of each whitespace token; inner punctuation stays."""
    return text.str.replace(_EDGE_PUNCT, "", regex=True)


def split_punct(text: pd.Series) -> pd.Series:
    """Every run of ASCII punctuation becomes a space: the words inside a link or a hyphenation are words."""
    return text.str.replace(_PUNCT_CLASS, " ", regex=True)


def tokenize(text: pd.Series) -> pd.Series:
    """One entry per token, indexed by the row's position; rows without tokens vanish."""
    tokens = pd.Series(text.to_numpy(dtype=object, na_value=""), dtype=object).str.split().explode()
    return tokens[tokens.notna()].astype(object)


def ngram(text: pd.Series, n: int) -> pd.Series:
    """Every 1..n-gram of consecutive tokens, words joined by one space."""
    tokens = tokenize(text)
    pieces = [tokens]
    grams = tokens
    for k in range(1, n):
        nxt = tokens.groupby(level=0, sort=False).shift(-k)
        grams = grams + " " + nxt
        pieces.append(grams[nxt.notna()])
    return _by_row(pieces)


def osb(text: pd.Series, n: int) -> pd.Series:
    """Orthogonal sparse bigrams in a window of n: word_i, then one '_' per step, then word_i+d."""
    tokens = tokenize(text)
    pieces = []
    for d in range(1, n):
        nxt = tokens.groupby(level=0, sort=False).shift(-d)
        pieces.append((tokens + "_" * d + nxt)[nxt.notna()])
    return _by_row(pieces)


def cartesian(a: pd.Series, b: pd.Series) -> pd.Series:
    """Cross two categorical values per row as ``a_b``; missing on either side is missing."""
    return a.astype(object) + "_" + b.astype(object)


def _by_row(pieces: list[pd.Series]) -> pd.Series:
    if not pieces:
        return pd.Series([], dtype=object)
    return pd.concat(pieces).sort_index(kind="stable").astype(object)


# ---- numeric ---------------------------------------------------------------

def fit_quantile_boundaries(quantiles: np.ndarray, n_bins: int) -> np.ndarray:
    """Inner boundaries of n equal-frequency bins, read off a quantile grid at 0..1.

    The grid holds the value at evenly spaced probabilities (statistics give
    1001 of them); boundary k is the grid interpolated at k/n. Ties collapse,
    so a variable with few distinct values gets fewer bins.
    """
    grid = np.asarray(quantiles, dtype=np.float64)
    grid = grid[np.isfinite(grid)]
    if grid.size == 0:
        return np.empty(0)
    positions = np.arange(1, n_bins) * (grid.size - 1) / n_bins
    with np.errstate(over="ignore"):
        steps_finite = np.isfinite(np.diff(grid)).all()
    if steps_finite:
        return np.unique(np.interp(positions, np.arange(grid.size), grid))
    scale = 2.0 ** 1023  # neighbours ±1e308 apart: interpolate the values divided by 2**1023 (exact), then back
    return np.unique(np.clip(np.interp(positions, np.arange(grid.size), grid / scale) * scale, grid[0], grid[-1]))


def quantile_bin(values: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """Bin number 0..len(boundaries) (a value on a boundary goes up); missing -> len+1."""
    values = np.asarray(values, dtype=np.float64)
    bins = np.searchsorted(boundaries, values, side="right")
    bins[np.isnan(values)] = len(boundaries) + 1
    return bins


def normalize(values: np.ndarray, mean: float, std: float) -> np.ndarray:
    """(x - mean) / std with the training statistics; a zero std counts as 1; missing -> 0."""
    scale = std if np.isfinite(std) and std > 0 else 1.0
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        out = (values - mean) / scale
    wide = np.isinf(out) & np.isfinite(values)  # x - mean past the largest float (1e308 - -1e308)
    if wide.any():
        out[wide] = values[wide] / scale - mean / scale
    out[np.isnan(out)] = 0.0
    return out


# ---- hashed form -----------------------------------------------------------

@dataclass(frozen=True)
class TokenStream:
    """Hashed tokens: ``rows`` ascending (int64), ``hashes`` (uint64) in text order."""

    rows: np.ndarray
    hashes: np.ndarray


def text_values(text: pd.Series | np.ndarray) -> np.ndarray:
    """Object array of str, missing as ''."""
    series = text if isinstance(text, pd.Series) else pd.Series(text, dtype=object)
    return series.to_numpy(dtype=object, na_value="")


def _join_rows(values: np.ndarray) -> str:
    """All rows in one string, separated by the row mark (never found inside a row)."""
    try:
        joined = _ROW_MARK.join(values)
    except TypeError:  # a non-string value (a number in an object column)
        values = np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
        joined = _ROW_MARK.join(values)
    if joined.count(_ROW_MARK) != len(values) - 1:
        joined = _ROW_MARK.join(v.replace(_ROW_MARK, " ") for v in values)
    return joined


def token_stream(text: pd.Series | np.ndarray, *, lower: bool = False, strip_punct: bool = False,
                 split_punct: bool = False) -> TokenStream:
    """Tokenise and hash a whole text column at once (see the module docstring)."""
    stored = string_buffers(text) if isinstance(text, pd.Series) else None
    if stored is not None and (not len(stored[0]) or stored[0].max() < 0x80):
        return _ascii_token_stream(*stored, lower=lower, strip_punct=strip_punct, split_punct=split_punct)
    values = text_values(text)
    if not len(values):
        return TokenStream(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64))
    joined = _join_rows(values)
    if lower:
        joined = joined.lower()
    if not joined.isascii():
        joined = _NON_ASCII_SPACE.sub(" ", joined)
    buffer = np.frombuffer(joined.encode("utf-8") + b"\0" * 8, dtype=np.uint8)
    blank = _BLANK[buffer] | _PUNCT[buffer] if split_punct else _BLANK[buffer]
    blank[-8:] = True
    edges = np.flatnonzero(blank[1:] != blank[:-1]) + 1
    if not blank[0]:
        edges = np.concatenate([[0], edges])
    starts, ends = edges[0::2], edges[1::2]
    if strip_punct:
        starts, ends = _strip_edges(buffer, starts, ends)
    marks = np.flatnonzero(buffer[:-8] == 1)
    before = np.concatenate([[0], np.searchsorted(starts, marks), [len(starts)]])
    rows = np.repeat(np.arange(len(values), dtype=np.int64), np.diff(before))
    return TokenStream(rows, hashing.hash_spans(buffer, starts, ends - starts))


def _ascii_token_stream(data: np.ndarray, offsets: np.ndarray, *, lower: bool, strip_punct: bool,
                        split_punct: bool = False) -> TokenStream:
    """`token_stream` of ASCII text read from its arrow buffer: the same tokens and hashes, no Python strings.

    Joining the rows with the row mark (a blank) makes a row boundary a token
    boundary; here the boundaries are marked instead. For ASCII, str.lower()
    is the byte table below and there is no non-ASCII space to replace.
    """
    buffer = np.concatenate((_LOWER[data] if lower else data, np.zeros(8, dtype=np.uint8)))
    starts, ends, row_start, filled = token_spans(buffer, offsets, _BLANK | _PUNCT if split_punct else _BLANK)
    if strip_punct:
        starts, ends = _strip_edges(buffer, starts, ends)
    rows = filled[np.cumsum(row_start, dtype=np.int32)[starts] - 1].astype(np.int64)  # the row each token is in
    return TokenStream(rows, hashing.hash_spans(buffer, starts, ends - starts))


def token_spans(buffer: np.ndarray, offsets: np.ndarray, blank: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends) of the runs of bytes not `blank` within each row of a padded ASCII buffer, with the
    row-start marks and the rows that have bytes (to find each token's row)."""
    solid = ~blank[buffer]
    solid[offsets[-1] :] = False  # the padding
    filled = np.flatnonzero(np.diff(offsets) > 0)  # rows with bytes, in order
    row_start = np.zeros(len(buffer), dtype=bool)
    row_start[offsets[:-1][filled]] = True
    continues = np.zeros(len(buffer), dtype=bool)
    continues[1:] = solid[:-1] & solid[1:] & ~row_start[1:]  # the byte before is part of the same token
    starts = np.flatnonzero(solid & ~continues)
    ends = np.flatnonzero(solid[:-1] & ~continues[1:]) + 1
    return starts, ends, row_start, filled


def _strip_edges(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts, ends = starts.copy(), ends.copy()
    todo = np.flatnonzero(_PUNCT[buffer[starts]])
    while todo.size:
        starts[todo] += 1
        todo = todo[(starts[todo] < ends[todo]) & _PUNCT[buffer[starts[todo]]]]
    todo = np.flatnonzero((starts < ends) & _PUNCT[buffer[ends - 1]])
    while todo.size:
        ends[todo] -= 1
        todo = todo[(starts[todo] < ends[todo]) & _PUNCT[buffer[ends[todo] - 1]]]
    keep = starts < ends
    return starts[keep], ends[keep]


def ngram_stream(tokens: TokenStream, n: int) -> list[TokenStream]:
    """1..n-grams as folds of token hashes; one stream per gram length."""
    pieces = [tokens]
    grams = tokens.hashes
    for k in range(1, n):
        size = len(tokens.rows) - k
        if size <= 0:
            break
        grams = hashing.combine(grams[:size], tokens.hashes[k:])
        same = tokens.rows[k:] == tokens.rows[:size]
        pieces.append(TokenStream(tokens.rows[:size][same], hashing.combine(_NGRAM_TAG, grams[same])))
    return pieces


def osb_stream(tokens: TokenStream, n: int) -> list[TokenStream]:
    """OSB pairs (token i, token i+d) for d = 1..n-1 in the same row, d folded into the hash."""
    pieces = []
    for d in range(1, n):
        size = len(tokens.rows) - d
        if size <= 0:
            break
        same = tokens.rows[d:] == tokens.rows[:size]
        first = hashing.combine(hashing.combine(_OSB_TAG, d), tokens.hashes[:size][same])
        pieces.append(TokenStream(tokens.rows[:size][same], hashing.combine(first, tokens.hashes[d:][same])))
    return pieces


def cross_stream(left: np.ndarray | TokenStream, right: np.ndarray | TokenStream) -> np.ndarray | TokenStream:
    """cartesian on hashes: per-row values (arrays) or token streams, every pair within a row."""
    if not isinstance(left, TokenStream) and not isinstance(right, TokenStream):
        return hashing.combine(hashing.combine(_CROSS_TAG, left), right)
    if not isinstance(left, TokenStream):
        rows = right.rows
        return TokenStream(rows, hashing.combine(hashing.combine(_CROSS_TAG, left[rows]), right.hashes))
    if not isinstance(right, TokenStream):
        rows = left.rows
        return TokenStream(rows, hashing.combine(hashing.combine(_CROSS_TAG, left.hashes), right[rows]))
    return _cross_tokens(left, right)


def _cross_tokens(left: TokenStream, right: TokenStream) -> TokenStream:
    n_rows = int(max(left.rows.max(initial=-1), right.rows.max(initial=-1))) + 1
    right_count = np.bincount(right.rows, minlength=n_rows)
    right_first = np.cumsum(right_count) - right_count
    repeat = right_count[left.rows]
    left_index = np.repeat(np.arange(len(left.rows)), repeat)
    group_start = np.cumsum(repeat) - repeat
    offset = np.arange(len(left_index)) - np.repeat(group_start, repeat)
    right_index = right_first[left.rows[left_index]] + offset
    first = hashing.combine(_CROSS_TAG, left.hashes[left_index])
    return TokenStream(left.rows[left_index], hashing.combine(first, right.hashes[right_index]))
