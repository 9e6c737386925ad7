"""Where the records of CSV bytes begin and end, with RFC 4180 quoting, vectorised.

A record ends at a line feed outside double quotes, so a quoted field may hold
line breaks (`\\n` or `\\r\\n`), as pandas, R and spreadsheets write free text.
Quotes are counted by parity, as the shape checks count them: every `"`
toggles, and the `""` of an escaped quote toggles twice. A line that leaves a
quote open (an odd count) joins the lines after it, up to the next line with
an odd count, when that makes a plausible record:

- the open quote starts a field (it follows a comma or starts the line),
- the quote that closes it ends a field (a comma or the line end follows),
- the record has the schema's number of fields, and
- the whole record, all its lines, is at most MAX_RECORD_BYTES.

Otherwise the opening line is a record by itself (invalid: it has an
unbalanced quote) and the next line starts afresh, so a stray quote costs its
own line only, as it did before records could span lines. A record still open
at the end of a block is carried into the next block; at the end of the file
it is unbalanced. Work is per block in numpy; Python loops only once per
rejected opening line.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

MAX_RECORD_BYTES = 100 * 1024
BOM = b"\xef\xbb\xbf"
NEWLINE, CR, COMMA, QUOTE = 10, 13, 44, 34
_NONE = np.iinfo(np.int64).max


class UnreadableFile(OSError):
    """The bytes of a data file cannot be read (I/O error, broken gzip, a .gz name on plain text)."""


@dataclass
class Records:
    """The units of a block, in order: blank lines and records (one or more physical lines each).

    starts/ends: byte offsets of each unit's first byte and of the \\n ending
    it; lengths: bytes without that \\n (and a \\r before it); first_lines:
    0-based physical line of the unit's first byte; quotes and fields: double
    quotes in the unit, and fields counting commas outside quotes.
    """

    data: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    lengths: np.ndarray
    first_lines: np.ndarray
    quotes: np.ndarray
    fields: np.ndarray
    lines: int

    def count(self, positions: np.ndarray) -> np.ndarray:
        """How many of the (sorted) byte positions fall in each unit."""
        if not len(positions):
            return np.zeros(len(self.starts), dtype=np.int64)
        return np.diff(np.searchsorted(positions, self.ends), prepend=0)

    def unit_of(self, position: int) -> int:
        """The unit holding a byte position."""
        return int(np.searchsorted(self.ends, position))


def open_data(path: Path) -> BinaryIO:
    """The file's bytes, gzip undone when it is gzip-compressed (by content, not by name)."""
    stream = path.open("rb")
    magic = stream.read(2)
    stream.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if path.suffix == ".gz" and magic:
        stream.close()
        raise UnreadableFile(f"{path.name} ends in .gz but is not gzip-compressed")
    return stream


def record_blocks(path: Path, chunk_bytes: int, fields: int) -> Iterator[tuple[bytes, Records, int]]:
    """(block, its records, physical line number of its first line) for a file, BOM removed.

    Blocks end at record ends: a multi-line record open at a block's end is
    carried into the next one (never more than MAX_RECORD_BYTES of it).
    """
    try:
        with open_data(path) as stream:
            line, carry, first = 1, b"", True
            for raw, last in _complete_lines(stream, chunk_bytes):
                if first and raw.startswith(BOM):
                    raw = raw[len(BOM) :]
                first = False
                block = carry + raw if carry else raw
                records, consumed = find_records(block, fields, final=last)
                carry = block[consumed:]
                if consumed:
                    yield (block if consumed == len(block) else block[:consumed]), records, line
                    line += records.lines
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        if isinstance(err, UnreadableFile):
            raise
        raise UnreadableFile(f"cannot read {path.name}: {err}") from None


def _complete_lines(stream: BinaryIO, chunk_bytes: int) -> Iterator[tuple[bytes, bool]]:
    """(block of complete lines, is it the last); a line over MAX_RECORD_BYTES is cut short (it is invalid anyway).

    A block is held back until the next read, so that an unterminated last
    line joins the block before it instead of making a chunk of its own.
    """
    carry = pending = b""
    skipping = False  # inside an over-long line whose kept start is in carry
    while raw := stream.read(chunk_bytes):
        if skipping:
            cut = raw.find(b"\n")
            if cut < 0:
                continue
            raw, skipping = raw[cut:], False
        buffer = carry + raw
        cut = buffer.rfind(b"\n") + 1
        if cut:
            if pending:
                yield pending, False
            pending = buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_RECORD_BYTES:
            carry, skipping = carry[: MAX_RECORD_BYTES + 1], True
    tail = pending + carry + b"\n" if carry else pending
    if tail:
        yield tail, True


def find_records(block: bytes, fields: int, *, final: bool) -> tuple[Records, int]:
    """The units of a block of whole lines, and how many of its bytes they cover.

    `fields` is the schema's field count (a multi-line record must have it);
    `final` says no bytes follow, so a quote still open is unbalanced rather
    than carried.
    """
    lines = _Lines.find(block)
    if not lines.quote_at.size:
        return lines.single_units(), len(block)
    opens = lines.odd_lines()
    if not opens.size:
        return lines.single_units(), len(block)
    pairs, pending = _pair_lines(lines, opens, fields)
    consumed = len(block)
    if pending is not None and not final and lines.can_carry(pending):
        consumed = int(lines.starts[pending])
        lines = lines.head(pending)
    return lines.merged_units(pairs), consumed


@dataclass
class _Lines:
    """Physical lines of a block, with what finding records needs per line."""

    data: np.ndarray
    starts: np.ndarray
    newlines: np.ndarray
    has_cr: np.ndarray
    quote_at: np.ndarray
    quotes: np.ndarray  # per line
    commas: np.ndarray  # per line
    odd_commas: np.ndarray  # per line: commas after an odd number of quotes since the block start
    parity: np.ndarray  # per line: quotes before its start, mod 2
    sums: tuple[np.ndarray, np.ndarray] | None = None  # prefix sums of commas and odd_commas, made when needed

    @classmethod
    def find(cls, block: bytes) -> _Lines:
        data = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(data == NEWLINE)
        starts = np.concatenate(([0], newlines[:-1] + 1)).astype(np.int64)
        has_cr = (newlines > starts) & (data[np.maximum(newlines - 1, 0)] == CR)
        is_comma = data == COMMA
        commas = _per_line_count(is_comma, starts, len(newlines))
        is_quote = data == QUOTE
        quote_at = np.flatnonzero(is_quote)
        if not quote_at.size:
            zeros = np.zeros(len(newlines), dtype=np.int64)
            return cls(data, starts, newlines, has_cr, quote_at, zeros, commas, zeros, zeros)
        odd = np.bitwise_xor.accumulate(is_quote.view(np.uint8)).view(bool)  # odd quotes up to each byte
        odd_commas = _per_line_count(is_comma & odd, starts, len(newlines))
        before = np.searchsorted(quote_at, starts)
        quotes = np.diff(np.append(before, len(quote_at)))
        return cls(data, starts, newlines, has_cr, quote_at, quotes, commas, odd_commas, before & 1)

    def odd_lines(self) -> np.ndarray:
        return np.flatnonzero(self.quotes & 1)

    def can_carry(self, line: int) -> bool:
        """An open record may wait for the next block while it is within the size limit."""
        return int(self.newlines[-1] - self.starts[line]) <= MAX_RECORD_BYTES

    def head(self, count: int) -> _Lines:
        """The first `count` lines (the rest is carried to the next block)."""
        end = int(self.starts[count]) if count < len(self.starts) else len(self.data)
        per_line = ("starts", "newlines", "has_cr", "quotes", "commas", "odd_commas", "parity")
        cut = {name: getattr(self, name)[:count] for name in per_line}
        return _Lines(data=self.data[:end], quote_at=self.quote_at[self.quote_at < end], **cut)

    def outside_commas(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Commas outside quotes in lines first..last (inclusive), parity counted from `first`'s start."""
        if self.sums is None:
            self.sums = tuple(np.concatenate(([0], np.cumsum(counts))) for counts in (self.commas, self.odd_commas))
        total, odd = self.sums
        all_commas = total[last + 1] - total[first]
        odd_commas = odd[last + 1] - odd[first]
        return np.where(self.parity[first] == 0, all_commas - odd_commas, odd_commas)

    def single_units(self) -> Records:
        return self.merged_units(np.empty(0, dtype=np.int64))

    def merged_units(self, pairs: np.ndarray) -> Records:
        """Units from lines, each accepted pair (opening line, closing line) and the lines between made one."""
        count = len(self.starts)
        depth = np.zeros(count + 1, dtype=np.int64)
        if pairs.size:
            np.add.at(depth, pairs[:, 0], 1)
            np.add.at(depth, pairs[:, 1], -1)
        ends_unit = np.cumsum(depth[:count]) == 0
        last = np.flatnonzero(ends_unit)
        first = np.concatenate(([0], last[:-1] + 1)).astype(np.int64)[: len(last)]
        ends = self.newlines[last]
        starts = self.starts[first]
        quotes = np.add.reduceat(self.quotes, first) if count else self.quotes
        fields = self.outside_commas(first, last) + 1
        return Records(data=self.data, starts=starts, ends=ends, lengths=ends - starts - self.has_cr[last],
                       first_lines=first, quotes=quotes, fields=fields, lines=count)


def _per_line_count(flags: np.ndarray, starts: np.ndarray, lines: int) -> np.ndarray:
    """Set flags per line (lines start at `starts`, each at least its line end long, the block ends with one)."""
    if not lines:
        return np.zeros(0, dtype=np.int64)
    total = np.int32 if flags.size < 2**31 else np.int64  # a line's count fits; 32-bit sums are 3x faster
    return np.add.reduceat(flags.view(np.uint8), starts, dtype=total).astype(np.int64, copy=False)


def _pair_lines(lines: _Lines, opens: np.ndarray, fields: int) -> tuple[np.ndarray, int | None]:
    """Accepted (opening line, closing line) pairs among the odd lines, and an opening line left open at the end.

    Odd lines pair up in order; a pair that fails the checks leaves its first
    line alone and the walk goes on from its second. Runs of accepted pairs
    and runs of lone lines are each taken whole, so Python steps once per run.
    """
    good = _plausible_pairs(lines, opens, fields)
    skip_to = _next_rejection(good)
    next_good = _next_true(good, missing=len(opens) - 1)
    accepted: list[np.ndarray] = []
    k, count = 0, len(opens)
    while k < count - 1:
        if not good[k]:
            k = int(next_good[k])  # the lines from k to there stand alone
            continue
        j = int(skip_to[k])
        stop = j if j != _NONE else k + 2 * ((count - k) // 2)
        accepted.append(np.arange(k, stop, 2))
        k = j + 1 if j != _NONE else stop
    firsts = np.concatenate(accepted) if accepted else np.empty(0, dtype=np.int64)
    pairs = np.column_stack((opens[firsts], opens[firsts + 1])) if firsts.size else np.empty((0, 2), np.int64)
    pending = int(opens[k]) if k == count - 1 and _opens_a_field(lines, opens[k:])[0] else None
    return pairs, pending


def _next_true(flags: np.ndarray, missing: int) -> np.ndarray:
    """For each index: the first index at or after it whose flag is set (`missing` if none)."""
    marks = np.where(flags, np.arange(len(flags)), missing)
    return np.minimum.accumulate(marks[::-1])[::-1] if len(flags) else marks


def _plausible_pairs(lines: _Lines, opens: np.ndarray, fields: int) -> np.ndarray:
    """For each odd line but the last: does it and the next odd line bound a plausible record?"""
    first, last = opens[:-1], opens[1:]
    size = lines.newlines[last] - lines.starts[first] - lines.has_cr[last]
    counted = lines.outside_commas(first, last) + 1
    return (_opens_a_field(lines, first) & _closes_a_field(lines, last) & (size <= MAX_RECORD_BYTES)
            & (counted == fields))


def _next_rejection(good: np.ndarray) -> np.ndarray:
    """For each pair index k: the first j >= k, j - k even, whose pair is rejected (_NONE if none)."""
    result = np.full(len(good), _NONE, dtype=np.int64)
    for offset in (0, 1):
        index = np.arange(offset, len(good), 2)
        marks = np.where(good[index], _NONE, index)
        result[index] = np.minimum.accumulate(marks[::-1])[::-1] if index.size else marks
    return result


def _opens_a_field(lines: _Lines, opens: np.ndarray) -> np.ndarray:
    """The quote an odd line leaves open is at a field start: the line start, or just after a comma.

    That quote is the line's last opening quote (an even number of quotes
    before it in the line) not directly after a quote (`""` is an escape).
    """
    quote_at = lines.quote_at
    index = np.arange(len(quote_at))
    escaped = np.concatenate(([False], np.diff(quote_at) == 1))
    result = np.zeros(len(opens), dtype=bool)
    line_start_parity = lines.parity[opens]
    before_end = np.searchsorted(quote_at, lines.newlines[opens])
    for parity in (0, 1):
        candidates = index[((index & 1) == parity) & ~escaped]
        mine = line_start_parity == parity
        at = np.searchsorted(candidates, before_end[mine]) - 1
        found = at >= 0
        position = np.where(found, quote_at[candidates[np.maximum(at, 0)]], -1)
        starts = lines.starts[opens[mine]]
        in_line = found & (position >= starts)
        previous = lines.data[np.maximum(position - 1, 0)]
        result[mine] = in_line & ((position == starts) | (previous == COMMA))
    return result


def _closes_a_field(lines: _Lines, closes: np.ndarray) -> np.ndarray:
    """The quote that closes the field carried into an odd line is followed by a comma or the line end."""
    quote_at = lines.quote_at
    index = np.arange(len(quote_at))
    doubled = np.concatenate((np.diff(quote_at) == 1, [False]))
    result = np.zeros(len(closes), dtype=bool)
    line_start_parity = lines.parity[closes]
    first_in_line = np.searchsorted(quote_at, lines.starts[closes])
    for parity in (0, 1):
        candidates = index[((index & 1) == parity) & ~doubled]
        mine = line_start_parity == parity
        at = np.searchsorted(candidates, first_in_line[mine])
        found = at < len(candidates)
        position = np.where(found, quote_at[candidates[np.minimum(at, len(candidates) - 1)]], -1)
        in_line = found & (position < lines.newlines[closes[mine]])
        following = lines.data[np.clip(position + 1, 0, len(lines.data) - 1)]
        result[mine] = in_line & np.isin(following, (COMMA, CR, NEWLINE))
    return result
