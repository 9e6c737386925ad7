"""Chunked reading of Amazon ML CSV data: any file size, bounded memory, every bad record accounted for.

Each file is read as raw bytes in blocks cut at record ends (gzip undone on
the fly; `records.py` finds the records, a quoted field may span lines). Per
block, numpy checks each record's shape (field count with quote parity,
unbalanced quotes, NUL bytes, length, UTF-8) without a Python loop per row;
the well-formed records go to pandas' C parser as bytes and are then typed
per the schema. A record is a non-blank line after the header, or several
lines when a quoted field holds line breaks; blank lines are skipped (and
still counted as physical lines). A record's line number is the physical
line it starts on. A DataRearrangement selects among all records, valid or
not, so a split and its complement partition the records whatever their
validity. With a header, its names are compared with the schema's first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from . import arrow_csv
from .binary import parse_binary
from .parallel import ordered_map
from .records import MAX_RECORD_BYTES, Records, UnreadableFile, record_blocks
from .schema import Schema, compare_header
from .split import Rearrangement, selection_mask

MAX_REPORTED = 10
R = TypeVar("R")
_NUL = 0
# why a record is invalid, most telling first: each record keeps the first that applies
_FINE, _TOO_LONG, _BAD_UTF8, _NUL_BYTE, _OPEN_QUOTE, _FIELDS, _VALUE = range(7)
_SHAPE_REASONS = {_TOO_LONG: f"the record is longer than {MAX_RECORD_BYTES // 1024} KB",
                  _BAD_UTF8: "the record is not valid UTF-8", _NUL_BYTE: "the record contains a NUL byte",
                  _OPEN_QUOTE: "the record has an unbalanced double quote"}
_NAN_WORDS = frozenset({"nan", "+nan", "-nan"})


class DataError(ValueError):
    """The data cannot be used at all (missing, unreadable, without a single record, or not the schema's shape)."""


@dataclass(frozen=True)
class InvalidRecord:
    file: str
    line: int
    reason: str


@dataclass
class ReadReport:
    """What a read saw, for DataSizeInBytes, NumberOfFiles, the failure Message and the warnings."""

    files: int = 0
    bytes_read: int = 0
    rows: int = 0
    invalid_rows: int = 0
    first_invalid: list[InvalidRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.rows + self.invalid_rows

    def note_invalid(self, file: str, lines: np.ndarray, reason_of: Callable[[int], str]) -> None:
        """Count invalid records; the first ones are kept with their reasons (asked for only for those)."""
        self.invalid_rows += len(lines)
        room = max(MAX_REPORTED - len(self.first_invalid), 0)
        for i, line in enumerate(lines[:room].tolist()):
            self.first_invalid.append(InvalidRecord(file, int(line), reason_of(i)))

    def describe_invalid(self) -> str:
        """One sentence naming how many records were invalid and where the first ones are."""
        shown = "; ".join(f"{Path(r.file).name} line {r.line}: {r.reason}" for r in self.first_invalid)
        return f"{self.invalid_rows} of {self.records} records are invalid (first: {shown})"


@dataclass
class Chunk:
    """One block of records from one file, typed per the schema.

    frame: one column per schema attribute (NUMERIC and BINARY float64, the
    others strings), NaN/NA for missing. line_numbers: 1-based physical line
    each record starts on. positions: 0-based record numbers over the whole
    data. invalid_counts: per attribute, values that made a record invalid
    (counted before invalid rows are dropped); dropped: invalid records left
    out of this chunk.
    """

    frame: pd.DataFrame
    line_numbers: np.ndarray
    file_index: int
    valid: np.ndarray
    nbytes: int
    positions: np.ndarray
    invalid_counts: dict[str, int]
    dropped: int = 0


def list_data_files(path: Path) -> list[Path]:
    """The files a location names: the file itself, or a folder's visible regular files in name order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataError(f"no file or folder at {path}")
    files = [
        candidate
        for candidate in path.rglob("*")
        if candidate.is_file() and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
    ]
    if not files:
        raise DataError(f"the folder {path} holds no data files")
    return sorted(files, key=lambda candidate: candidate.relative_to(path).as_posix())


def count_records(files: list[Path], schema: Schema, *, chunk_bytes: int = 32 << 20) -> int:
    """Records in the data (non-blank lines or multi-line records after any header), malformed ones included."""
    total = 0
    for path in files:
        for _block, records, first_line in _blocks(path, chunk_bytes, schema):
            total += int(np.count_nonzero(_record_mask(records, first_line, schema.has_header)))
    return total


def iter_chunks(
    files: list[Path],
    schema: Schema,
    *,
    chunk_bytes: int = 32 << 20,
    selection: Rearrangement | None = None,
    keep_invalid: bool = False,
    report: ReadReport | None = None,
    threads: int = 1,
) -> Iterator[Chunk]:
    """Typed chunks of the selected records, in file order; DataError if no file has a record.

    A header line whose field count differs from the schema's is a DataError
    naming the difference; other names that differ are a warning in `report`.
    With several threads blocks are parsed side by side; the chunks, the
    report and any error are the one-thread run's, in its order.
    """
    for chunk, _ in map_chunks(None, files, schema, chunk_bytes=chunk_bytes, selection=selection,
                               keep_invalid=keep_invalid, report=report, threads=threads):
        yield chunk


def map_chunks(
    work: Callable[[Chunk], R] | None,
    files: list[Path],
    schema: Schema,
    *,
    chunk_bytes: int = 32 << 20,
    selection: Rearrangement | None = None,
    keep_invalid: bool = False,
    report: ReadReport | None = None,
    threads: int = 1,
    window: int | None = None,
) -> Iterator[tuple[Chunk, R | None]]:
    """(chunk, work(chunk)) for each chunk, in order: `work` runs on the thread that parsed the chunk.

    The calling thread reads the files and finds the records (cheap, and in
    order by nature); each block's checks, parsing and typing, then `work`,
    run on `threads` threads (`parallel.ordered_map`, at most `window` blocks
    in flight); the report is updated here, in order, so it reads as with one thread.
    """
    report = report if report is not None else ReadReport()
    total = count_records(files, schema, chunk_bytes=chunk_bytes) if selection and selection.needs_total else None

    def run(item: _Block | _FileEnd) -> tuple[_Outcome, R | None] | _FileEnd:
        if isinstance(item, _FileEnd):
            return item
        parsed = _BlockParser(schema, item.block, item.records, item.first_line, item.position)
        outcome = parsed.run(selection, total, item.file_index).outcome(item.file_index, keep_invalid, str(item.path))
        del parsed, item  # the raw block and its arrays are not needed while `work` runs
        result = work(outcome.chunk) if work is not None and outcome.chunk is not None else None
        return outcome, result

    empty: list[str] = []
    records = 0
    window = window or threads + 1  # every thread busy, one result ready: the least memory that keeps pace
    for done in ordered_map(run, _block_items(files, schema, chunk_bytes, report), threads, window):
        if isinstance(done, _FileEnd):
            report.files += 1
            report.bytes_read += done.path.stat().st_size
            if done.records_before == done.records_after:
                empty.append(_why_empty(done.path, schema))
            records = done.records_after
            continue
        outcome, result = done
        outcome.account(report)
        if outcome.chunk is not None:
            yield outcome.chunk, result
    if records == 0:
        raise DataError("the data has no records: " + "; ".join(empty))


@dataclass
class _Block:
    block: bytes
    records: Records
    first_line: int
    position: int  # records before this block's first, over the whole data
    file_index: int
    path: Path


@dataclass
class _FileEnd:
    path: Path
    records_before: int
    records_after: int


def _block_items(files: list[Path], schema: Schema, chunk_bytes: int,
                 report: ReadReport) -> Iterator[_Block | _FileEnd]:
    """Each file's blocks of records, then the file's end; the header is checked here, as the file is read."""
    position = 0
    for file_index, path in enumerate(files):
        before = position
        for block, records, first_line in _blocks(path, chunk_bytes, schema, report):
            yield _Block(block, records, first_line, position, file_index, path)
            position += int(np.count_nonzero(_record_mask(records, first_line, schema.has_header)))
        yield _FileEnd(path, before, position)


@dataclass
class _Outcome:
    """A parsed block: its chunk (None without records) and what it adds to the report, applied in order."""

    chunk: Chunk | None
    file: str
    rows: int
    bad_lines: np.ndarray
    reasons: list[str]  # of the first MAX_REPORTED invalid records, the most a report keeps

    def account(self, report: ReadReport) -> None:
        report.note_invalid(self.file, self.bad_lines, lambda i: self.reasons[i])
        report.rows += self.rows


def _blocks(path: Path, chunk_bytes: int, schema: Schema,
            report: ReadReport | None = None) -> Iterator[tuple[bytes, Records, int]]:
    """The file's blocks of records; with a report, the header line is checked against the schema first."""
    try:
        for block, records, first_line in record_blocks(path, chunk_bytes, len(schema.attributes)):
            if report is not None and first_line == 1 and schema.has_header:
                _check_header(schema, block, records, path, report)
            yield block, records, first_line
    except UnreadableFile as err:
        raise DataError(str(err)) from None


def _record_mask(records: Records, first_line: int, has_header: bool) -> np.ndarray:
    """Which units are records: not blank, and not the header (the file's first line)."""
    mask = records.lengths > 0
    if has_header and first_line == 1 and len(mask):
        mask[0] = False
    return mask


def _check_header(schema: Schema, block: bytes, records: Records, path: Path, report: ReadReport) -> None:
    """Compare the header's names with the schema's: a different count fails, other differences warn."""
    if not len(records.starts) or records.lengths[0] == 0:
        return
    text = block[int(records.starts[0]) : int(records.starts[0] + records.lengths[0])]
    try:
        names = next(csv.reader([text.decode("utf-8", errors="replace")]))
    except (csv.Error, StopIteration):
        names = text.decode("utf-8", errors="replace").split(",")
    check = compare_header(schema, names, path.name)
    if check.error:
        raise DataError(check.error)
    if check.warning and check.warning not in report.warnings:
        report.warnings.append(check.warning)


def _why_empty(path: Path, schema: Schema) -> str:
    if path.stat().st_size == 0:
        return f"{path.name} is empty"
    return f"{path.name} has only a header line" if schema.has_header else f"{path.name} has only blank lines"


class _BlockParser:
    """Turns one block into typed records; one instance per block."""

    def __init__(self, schema: Schema, block: bytes, records: Records, first_line: int, first_position: int) -> None:
        self.schema = schema
        self.block = block
        self.units = records
        self.index = np.flatnonzero(_record_mask(records, first_line, schema.has_header))  # units that are records
        self.records = len(self.index)
        self.line_numbers = first_line + records.first_lines[self.index].astype(np.int64)
        self.positions = first_position + np.arange(self.records, dtype=np.int64)

    def run(self, selection: Rearrangement | None, total: int | None, file_index: int) -> _BlockParser:
        keep = selection_mask(selection, row_positions=self.positions, total_rows=total,
                              file_indexes=file_index, line_numbers=self.line_numbers)
        self.index, self.line_numbers, self.positions = self.index[keep], self.line_numbers[keep], self.positions[keep]
        self.problems = _shape_problems(self.units, self.index, len(self.schema.attributes), self.block)
        self.found = self.units.fields[self.index].copy()
        # _parse may find more malformed records (updating problems and found in place)
        self.raw = self._parse()
        self.rows_at = np.flatnonzero(self.problems == _FINE)
        self.frame, self.first_bad_value, self.cell_masks = _typed_frame(self.schema, self.raw, self.rows_at,
                                                                          len(self.index))
        return self

    def _parse(self) -> pd.DataFrame:
        """The well-formed records as columns: NUMERIC already float64 when every value parses, else strings.

        The C parser reads numbers directly (the common case); a block with
        a non-number falls back to strings for typing, and a block the C
        parser splits differently from the shape check goes to the csv module.
        """
        good = self.index[self.problems == _FINE]
        names = list(self.schema.names)
        if not len(good):
            return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
        text = self._good_text(good)
        numeric = {a.name: np.float64 for a in self.schema.attributes if a.type == "NUMERIC"}
        if arrow_csv.available():
            frame = arrow_csv.parse(text, names, set(numeric), len(good), self.units.lines == len(self.units.starts))
            if frame is not None:
                return frame
        for dtypes in ({name: numeric.get(name, object) for name in names}, object):
            try:
                frame = pd.read_csv(io.BytesIO(text), header=None, names=names, dtype=dtypes,
                                    keep_default_na=False, na_values=[""], skip_blank_lines=False, index_col=False,
                                    engine="c", encoding="utf-8", quotechar='"', doublequote=True, low_memory=False)
            except pd.errors.ParserError:
                break
            except ValueError:
                continue
            if len(frame) == len(good):
                return frame
            break
        return _parse_slowly(self._texts(good), names, self.problems, self.found)

    def _good_text(self, good: np.ndarray) -> bytes:
        """The bytes of the given records; a plain slice when they are consecutive (the usual case)."""
        starts, ends = self.units.starts, self.units.ends
        if good[-1] - good[0] + 1 == len(good):
            return self.block[int(starts[good[0]]) : int(ends[good[-1]]) + 1]
        unit_mask = np.zeros(len(starts), dtype=bool)
        unit_mask[good] = True
        segment = np.diff(np.append(starts, len(self.units.data)))
        return self.units.data[np.repeat(unit_mask, segment)].tobytes()

    def _texts(self, good: np.ndarray) -> list[str]:
        """Each record's text (for the slow path only), without its line end."""
        starts, lengths = self.units.starts[good].tolist(), self.units.lengths[good].tolist()
        block = self.block
        return [block[start : start + length].decode("utf-8") for start, length in zip(starts, lengths, strict=True)]

    def _reason(self, record: int, problem: int) -> str:
        """The words for one invalid record (made only for the few that are reported)."""
        if problem == _FIELDS:
            return f"expected {len(self.schema.attributes)} fields, found {self.found[record]}"
        if problem == _VALUE:
            attribute = self.schema.attributes[int(self.first_bad_value[record])]
            value = self.raw[attribute.name].iat[int(np.searchsorted(self.rows_at, record))]
            return _cell_reason(attribute.name, attribute.type, value)
        return _SHAPE_REASONS[problem]

    def chunk(self, file_index: int, keep_invalid: bool, report: ReadReport, file: str) -> Chunk | None:
        """The block's chunk, its records counted in `report` at once (for callers that read in order)."""
        outcome = self.outcome(file_index, keep_invalid, file)
        outcome.account(report)
        return outcome.chunk

    def outcome(self, file_index: int, keep_invalid: bool, file: str) -> _Outcome:
        problems = np.where((self.problems == _FINE) & (self.first_bad_value >= 0), _VALUE, self.problems)
        valid = problems == _FINE
        bad = np.flatnonzero(~valid)
        reasons = [self._reason(int(record), int(problems[record])) for record in bad[:MAX_REPORTED].tolist()]
        outcome = _Outcome(None, file, int(valid.sum()), self.line_numbers[bad], reasons)
        if not len(valid):
            return outcome
        counts = {name: int(mask.sum()) for name, mask in self.cell_masks.items()}
        frame, lines, positions, dropped = self.frame, self.line_numbers, self.positions, 0
        if not keep_invalid and len(bad):
            frame = frame[valid].reset_index(drop=True)
            lines, positions, dropped, valid = lines[valid], positions[valid], len(bad), valid[valid]
        outcome.chunk = Chunk(frame=frame, line_numbers=lines, file_index=file_index, valid=valid,
                              nbytes=len(self.block), positions=positions, invalid_counts=counts, dropped=dropped)
        return outcome


def _shape_problems(units: Records, index: np.ndarray, fields: int, block: bytes) -> np.ndarray:
    """Per record, why it cannot be parsed (_FINE if it can), the most telling reason first; all in numpy."""
    problems = np.full(len(index), _FINE, dtype=np.int8)
    bad_utf8 = np.isin(index, list(_bad_utf8_units(block, units)))
    checks = ((units.lengths[index] > MAX_RECORD_BYTES, _TOO_LONG), (bad_utf8, _BAD_UTF8),
              (units.count(np.flatnonzero(units.data == _NUL))[index] > 0, _NUL_BYTE),
              (units.quotes[index] % 2 == 1, _OPEN_QUOTE), (units.fields[index] != fields, _FIELDS))
    for failed, problem in reversed(checks):  # the first check that fails is the one kept
        problems[failed] = problem
    return problems


def _bad_utf8_units(block: bytes, units: Records) -> set[int]:
    """Indexes of units that are not valid UTF-8; one C-speed decode when the block is clean."""
    bad: set[int] = set()
    offset = 0
    while True:
        try:
            block[offset:].decode("utf-8")
            return bad
        except UnicodeDecodeError as err:
            unit = units.unit_of(offset + err.start)
            bad.add(unit)
            if unit + 1 >= len(units.starts):
                return bad
            offset = int(units.starts[unit + 1])


def _parse_slowly(texts: list[str], names: list[str], problems: np.ndarray, found: np.ndarray) -> pd.DataFrame:
    """Record by record with the csv module, for records the C parser splits differently (quotes inside a field)."""
    rows: list[list[str | None]] = []
    for position, text in zip(np.flatnonzero(problems == _FINE).tolist(), texts, strict=True):
        try:
            fields = next(csv.reader([text], strict=True))
        except csv.Error:
            fields = []
        if len(fields) != len(names):
            problems[position], found[position] = _FIELDS, len(fields)
            continue
        rows.append([value if value != "" else None for value in fields])
    return pd.DataFrame(rows, columns=names, dtype=object)


def _typed_frame(
    schema: Schema, raw: pd.DataFrame, rows_at: np.ndarray, count: int
) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    """Type each column of the parsed records (at rows `rows_at` of `count`); malformed ones are all missing.

    Returns the frame, per record the index of the attribute of its first
    invalid value (-1: none), and per NUMERIC/BINARY attribute the mask of
    invalid values.
    """
    first_bad = np.full(count, -1, dtype=np.int64)
    columns: dict[str, np.ndarray] = {}
    masks: dict[str, np.ndarray] = {}
    for position, attribute in enumerate(schema.attributes):
        values = raw[attribute.name]
        if attribute.type == "NUMERIC":
            typed, invalid = parse_numbers(values)
        elif attribute.type == "BINARY":
            parsed = parse_binary(values)
            typed, invalid = parsed.values, parsed.invalid
        else:
            columns[attribute.name] = _spread_text(values, rows_at, count)
            continue
        if invalid is not None:
            masks[attribute.name] = mask = _spread(invalid, rows_at, count, False)
            first_bad[mask & (first_bad < 0)] = position
        columns[attribute.name] = _spread(typed, rows_at, count, np.nan)
    return pd.DataFrame(columns, copy=False), first_bad, masks


def _spread_text(values: pd.Series, rows_at: np.ndarray, count: int) -> object:
    """A text column placed at its records' rows (missing for malformed ones).

    Strings the C parser made are Python objects, typed `str` by the frame
    as before; a column already `str` (the pyarrow path) keeps its storage.
    """
    if values.dtype == object or not values.count():  # a column of only missing values stays object, as before
        return _spread(values.to_numpy(dtype=object), rows_at, count, np.nan)
    if len(rows_at) == count:
        return values.array
    indexer = np.full(count, -1, dtype=np.intp)
    indexer[rows_at] = np.arange(len(rows_at))
    return values.array.take(indexer, allow_fill=True)


def _spread(values: np.ndarray, rows_at: np.ndarray, count: int, fill: object) -> np.ndarray:
    """Place per-good-row values at their records' rows; malformed records get `fill`."""
    if len(rows_at) == count:
        return values
    full = np.full(count, fill, dtype=values.dtype)
    full[rows_at] = values
    return full


def parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """float64 with NaN for missing; non-numbers and infinities are invalid, 'nan' is missing."""
    if values.dtype == np.float64:
        numbers = values.to_numpy(dtype=np.float64, copy=True)
        invalid = np.isinf(numbers)
    else:
        strings = values.to_numpy(dtype=object)
        numbers = pd.to_numeric(strings, errors="coerce").astype(np.float64, copy=True)
        unparsed = np.isnan(numbers) & ~pd.isna(strings)
        if unparsed.any():
            words = pd.Series(strings[unparsed], dtype=object).str.strip().str.lower()
            unparsed[unparsed] = ~words.isin(_NAN_WORDS | {""}).to_numpy()
        invalid = unparsed | np.isinf(numbers)
    numbers[invalid] = np.nan
    return numbers, invalid


def _cell_reason(name: str, kind: str, value: object) -> str:
    shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
    expected = "is not a number" if kind == "NUMERIC" else "is not a BINARY value (0/1, yes/no, true/false, y/n, t/f)"
    return f'"{name}" value "{shown}" {expected}'
