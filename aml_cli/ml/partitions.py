"""A location read as byte-range partitions that give exactly the single reader's chunks, on any machine.

The single reader (`reader.iter_chunks`) reads a file in pieces of
`chunk_bytes`, cuts each at its last line end and parses the lines up to
there as one block, except that a record left open by a quoted field holding
line breaks is carried into the next block. How a block is parsed depends on
its neighbours in rare cases (the C parser's leniency, typing), so a
partition reproduces the single reader's blocks themselves: a plain file is
cut at multiples of `chunk_bytes` (`partition_bytes` rounded up to one), and
partition p, covering pieces [a, b), owns the bytes from B(a) to B(b), where
B(a) is the line start after the last line end before piece a -- exactly the
single reader's block boundary there. A gzip file is one partition (its bytes
cannot be entered in the middle).

Where blocks really start depends on everything before: a boundary moves back
to the start of a record the previous block left open. Whether that happens
is a state of two values at each boundary, `FRESH` (nothing carried) or
`CARRIED` (the last line before B(a) with an odd number of double quotes opens
a record that the block after B(a) continues). The candidate line is found
locally (it lies within MAX_RECORD_BYTES before B(a)). So each partition is
scanned independently for both entry states -- record count and exit state
for each, and its line count -- in one pass (the two walks agree from the
first block after which they carry the same bytes, usually the first).
Composing the scans left to right (`place`: a few numbers per partition)
gives each partition its entry state, the line number of its first line and
the position of its first record over the whole data; reading a partition
needs nothing else. No machine reads the whole file in sequence.

`read_partition` then yields exactly the chunks `iter_chunks` yields for those
blocks (same frames, line numbers, positions, invalid records and reasons,
DataRearrangement by global position); over all partitions in order they are
the single reader's chunks, one for one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .data_files import RemoteFile, data_file
from .reader import MAX_REPORTED, Chunk, DataError, ReadReport, _BlockParser, _check_header, _record_mask, _why_empty
from .records import (
    BOM,
    MAX_RECORD_BYTES,
    Records,
    UnreadableFile,
    _complete_lines,
    _Lines,
    _opens_a_field,
    find_records,
    record_blocks,
)
from .schema import Schema
from .split import Rearrangement

FRESH, CARRIED = 0, 1
DEFAULT_PARTITION_BYTES = 128 << 20
DEFAULT_CHUNK_BYTES = 4 << 20
_SEEK_BLOCK = 1 << 16


@dataclass(frozen=True)
class Partition:
    """Pieces [start, end) (byte offsets, multiples of `chunk_bytes`) of one file; a gzip file whole."""

    path: str
    file_index: int
    start: int
    end: int
    size: int
    chunk_bytes: int
    compressed: bool = False

    @property
    def first(self) -> bool:
        return self.start == 0


@dataclass(frozen=True)
class Scan:
    """What a partition holds, for both entry states (indexed by FRESH and CARRIED).

    begin/stop: its bytes [B(a), B(b)); lines: physical lines in them;
    carry_from: where the candidate open record starts (-1: none),
    carry_lines: the lines from there to `begin`.
    """

    lines: int
    records: tuple[int, int]
    exits: tuple[int, int]
    begin: int
    stop: int
    carry_from: int = -1
    carry_lines: int = 0
    error: str | None = None  # the file cannot be read: raised when the read reaches this partition


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to read one partition: its state, first line number and record position."""

    partition: Partition
    state: int
    begin: int
    stop: int
    carry_from: int
    first_line: int  # 1-based line number of the first byte read
    first_position: int  # position over the whole data of the first record read
    records: int  # records read
    total: int = 0  # records in the whole data (for a sequential DataRearrangement)
    error: str | None = None


def plan(files: Iterable[Path | str | RemoteFile], partition_bytes: int = DEFAULT_PARTITION_BYTES,
         chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> list[Partition]:
    """The partitions of the files, in order: plain files in ranges of whole pieces, gzip files whole."""
    if partition_bytes < 1 or chunk_bytes < 1:
        raise ValueError("partition_bytes and chunk_bytes must be positive")
    step = -(-partition_bytes // chunk_bytes) * chunk_bytes
    partitions: list[Partition] = []
    for file_index, name in enumerate(files):
        path = data_file(name)
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(2)
        compressed = magic == b"\x1f\x8b" or (path.suffix == ".gz" and bool(magic))  # as records.open_data decides
        edges = [0, size] if compressed or size <= step else [*range(0, size, step), size]
        partitions += [Partition(str(path), file_index, a, b, size, chunk_bytes, compressed)
                       for a, b in pairwise(edges)]
    return partitions


def scan(partition: Partition, schema: Schema) -> Scan:
    """Count a partition's lines and records for both entry states (finding records, not parsing values).

    A file that cannot be read gives a scan with its `error`, raised when the read reaches it (as the single
    reader raises it once it has read the files before).
    """
    try:
        return _scan(partition, len(schema.attributes), schema.has_header)
    except (OSError, EOFError) as err:
        return Scan(0, (0, 0), (FRESH, FRESH), 0, 0, error=_unreadable(data_file(partition.path), err))


def place(partitions: list[Partition], scans: list[Scan]) -> list[Task]:
    """Compose the scans in order: each partition's entry state, first line number and first record position."""
    tasks: list[Task] = []
    position, state, line = 0, FRESH, 1
    for partition, facts in zip(partitions, scans, strict=True):
        if partition.first:
            state, line = FRESH, 1
        if state == CARRIED and facts.carry_from < 0:
            raise AssertionError(f"{partition}: carried into a partition that sees no open record")
        first_line = line - facts.carry_lines if state == CARRIED else line
        records = facts.records[state]
        tasks.append(Task(partition, state, facts.begin, facts.stop, facts.carry_from, first_line, position, records,
                          error=facts.error))
        position, line, state = position + records, line + facts.lines, facts.exits[state]
    return [replace(task, total=position) for task in tasks]


def check_placed(tasks: list[Task], schema: Schema) -> None:
    """Once every partition was read: DataError when no file holds a record, naming why each is empty (as
    `iter_chunks` says it once it has read them all)."""
    if tasks and tasks[-1].first_position + tasks[-1].records > 0:
        return
    seen = sorted({(task.partition.file_index, task.partition.path) for task in tasks})
    raise DataError("the data has no records: " + "; ".join(_why_empty(data_file(path), schema) for _, path in seen))


def read_partition(
    task: Task,
    schema: Schema,
    *,
    selection: Rearrangement | None = None,
    keep_invalid: bool = False,
    report: ReadReport | None = None,
) -> Iterator[Chunk]:
    """The typed chunks of a partition's blocks, exactly as `iter_chunks` yields them."""
    if task.error is not None:
        raise DataError(task.error)
    report = report if report is not None else ReadReport()
    partition = task.partition
    path = data_file(partition.path)
    total = task.total if selection is not None and selection.needs_total else None
    position = task.first_position
    fields = len(schema.attributes)
    try:
        for block, records, line in _parsed_blocks(partition, task.state, task.begin, task.stop, task.carry_from,
                                                   fields):
            first_line = task.first_line + line
            if first_line == 1 and schema.has_header:
                _check_header(schema, block, records, path, report)
            parsed = _BlockParser(schema, block, records, first_line, position).run(selection, total,
                                                                                   partition.file_index)
            position += parsed.records
            chunk = parsed.chunk(partition.file_index, keep_invalid, report, str(path))
            del parsed
            if chunk is not None:
                yield chunk
    except (OSError, EOFError) as err:
        raise DataError(_unreadable(path, err)) from None


def merge_reports(parts: Iterable[ReadReport], files: list[Path] | list[str] | list[RemoteFile]) -> ReadReport:
    """One report from per-partition reports in partition order, as one read of `files` makes it."""
    merged = ReadReport(files=len(files), bytes_read=sum(data_file(name).stat().st_size for name in files))
    for part in parts:
        merged.rows += part.rows
        merged.invalid_rows += part.invalid_rows
        merged.first_invalid += part.first_invalid[: max(MAX_REPORTED - len(merged.first_invalid), 0)]
        merged.warnings += [warning for warning in part.warnings if warning not in merged.warnings]
    return merged


def iter_partitioned_chunks(
    files: list[Path],
    schema: Schema,
    *,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    selection: Rearrangement | None = None,
    keep_invalid: bool = False,
    report: ReadReport | None = None,
    mapper: Callable[[Callable[[Partition], Scan], list[Partition]], Iterable[Scan]] = map,
) -> Iterator[Chunk]:
    """`iter_chunks` by partitions on this machine: the scans through `mapper` (e.g. a thread map), then reads."""
    partitions = plan(files, partition_bytes, chunk_bytes)
    tasks = place(partitions, list(mapper(lambda partition: scan(partition, schema), partitions)))
    reports = []
    for task in tasks:
        reports.append(ReadReport())
        yield from read_partition(task, schema, selection=selection, keep_invalid=keep_invalid, report=reports[-1])
    check_placed(tasks, schema)
    if report is not None:
        merged = merge_reports(reports, files)
        for name in ("files", "bytes_read", "rows", "invalid_rows", "first_invalid", "warnings"):
            setattr(report, name, getattr(merged, name))


def _unreadable(path: Path, err: BaseException) -> str:
    return str(err) if isinstance(err, UnreadableFile) else f"cannot read {path.name}: {err}"


# -- scanning -------------------------------------------------------------------------------------------------------


def _scan(partition: Partition, fields: int, header: bool) -> Scan:
    if partition.compressed:
        walk = _Walk(b"", at_file_start=True)
        for _block, units, first_line in record_blocks(data_file(partition.path), partition.chunk_bytes, fields):
            walk.records += int(np.count_nonzero(_record_mask(units, first_line, header)))
            walk.lines = first_line - 1 + units.lines
        return Scan(walk.lines, (walk.records, walk.records), (FRESH, FRESH), 0, partition.size)
    with data_file(partition.path).open("rb") as handle:
        begin = _boundary(handle, partition.start, partition.size)
        stop = _boundary(handle, partition.end, partition.size)
        carry_from, carry = _open_candidate(handle, begin, fields)
        walks = {FRESH: _Walk(b"", at_file_start=begin == 0)}
        if carry_from >= 0:
            walks[CARRIED] = _Walk(carry, at_file_start=carry_from <= len(BOM))
        lines, met = 0, None  # met: CARRIED's records minus FRESH's when their walks met
        for raw, last in _raw_blocks(handle, begin, stop, partition):
            lines += raw.count(b"\n")
            for walk in walks.values():
                walk.feed(raw, last, fields, header)
            if len(walks) == 2 and walks[FRESH].carry == walks[CARRIED].carry:
                met = walks.pop(CARRIED).records - walks[FRESH].records
    fresh = walks[FRESH]
    if CARRIED in walks:
        carried = (walks[CARRIED].records, walks[CARRIED].exit)
    else:
        carried = (fresh.records + met, fresh.exit) if met is not None else (0, CARRIED)
    return Scan(lines, (fresh.records, carried[0]), (fresh.exit, carried[1]), begin, stop, carry_from,
                carry.count(b"\n"))


@dataclass
class _Walk:
    """The single reader's state between blocks: the open record it carries, and the records it found."""

    carry: bytes
    at_file_start: bool
    records: int = 0
    lines: int = 0

    @property
    def exit(self) -> int:
        return CARRIED if self.carry else FRESH

    def feed(self, raw: bytes, last: bool, fields: int, header: bool) -> tuple[bytes, Records] | None:
        """One raw block, as `records.record_blocks` takes it; returns the block parsed (None: all carried)."""
        block = self.carry + raw if self.carry else raw
        units, consumed = find_records(block, fields, final=last)
        self.carry = block[consumed:]
        if not consumed:
            return None
        self.records += int(np.count_nonzero(_record_mask(units, 1 if self.at_file_start else 2, header)))
        self.at_file_start = False
        self.lines += units.lines
        return (block if consumed == len(block) else block[:consumed]), units


def _parsed_blocks(partition: Partition, state: int, begin: int, stop: int, carry_from: int,
                   fields: int) -> Iterator[tuple[bytes, Records, int]]:
    """(block, its records, lines before it since the first byte read) as the single reader parses them."""
    if partition.compressed:
        for block, units, first_line in record_blocks(data_file(partition.path), partition.chunk_bytes, fields):
            yield block, units, first_line - 1
        return
    with data_file(partition.path).open("rb") as handle:
        carry = b""
        if state == CARRIED:
            handle.seek(carry_from)
            carry = handle.read(begin - carry_from)
        walk = _Walk(carry, at_file_start=False)
        for raw, last in _raw_blocks(handle, begin, stop, partition):
            lines = walk.lines
            parsed = walk.feed(raw, last, fields, header=False)
            if parsed is not None:
                yield parsed[0], parsed[1], lines


def _raw_blocks(handle: BinaryIO, begin: int, stop: int, partition: Partition) -> Iterator[tuple[bytes, bool]]:
    """The single reader's blocks of complete lines in [begin, stop): its pieces are cut at the same multiples
    of chunk_bytes; `last` only at the end of the file."""
    pieces = _Pieces(handle, begin, stop, partition.chunk_bytes)
    first = begin == 0
    for raw, last in _complete_lines(pieces, partition.chunk_bytes):  # type: ignore[arg-type]
        if first and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        first = False
        yield raw, last and stop >= partition.size


class _Pieces(io.RawIOBase):
    """Bytes [begin, stop) of a file, each read ending at the next multiple of `step` (as the single reader's)."""

    def __init__(self, handle: BinaryIO, begin: int, stop: int, step: int) -> None:
        handle.seek(begin)
        self.handle, self.at, self.stop, self.step = handle, begin, stop, step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        end = min((self.at // self.step + 1) * self.step, self.stop)
        piece = self.handle.read(end - self.at) if end > self.at else b""
        self.at += len(piece)
        return piece


def _boundary(handle: BinaryIO, offset: int, size: int) -> int:
    """B(offset): the single reader's block boundary at a piece start -- just after the last line end before it;
    the file's end when no line end follows (an unterminated last line joins the block before)."""
    if offset <= 0:
        return 0
    if offset >= size or not _line_end_after(handle, offset):
        return size
    at = offset
    while at > 0:
        back = max(0, at - _SEEK_BLOCK)
        handle.seek(back)
        found = handle.read(at - back).rfind(b"\n")
        if found >= 0:
            return back + found + 1
        at = back
    return 0


def _line_end_after(handle: BinaryIO, offset: int) -> bool:
    handle.seek(offset)
    while piece := handle.read(_SEEK_BLOCK):
        if b"\n" in piece:
            return True
    return False


def _open_candidate(handle: BinaryIO, begin: int, fields: int) -> tuple[int, bytes]:
    """Where the record the block before `begin` may leave open starts, and its bytes ((-1, b"") if none).

    The single reader carries a record across a block end only from the block's last line with an odd number
    of quotes, when that line opens a field and starts at most MAX_RECORD_BYTES before the block's last line
    end; whether it does depends on the walk before it, which the previous partition's scan knows.
    """
    if begin <= 0:
        return -1, b""
    low = max(0, begin - MAX_RECORD_BYTES - 2)
    handle.seek(low)
    window = handle.read(begin - low)
    skip = len(BOM) if low == 0 and window.startswith(BOM) else 0
    if low > 0:  # lines starting before the window are too far back to be carried
        skip = window.find(b"\n") + 1
        if not skip:
            return -1, b""
    data = window[skip:]
    if not data:
        return -1, b""
    lines = _Lines.find(data)
    odd = np.flatnonzero(lines.quotes & 1)
    if not odd.size or low + skip + int(lines.starts[odd[-1]]) < begin - 1 - MAX_RECORD_BYTES:
        return -1, b""
    if not _opens_a_field(lines, odd[-1:])[0]:
        return -1, b""
    start = int(lines.starts[odd[-1]])
    return low + skip + start, data[start:]
