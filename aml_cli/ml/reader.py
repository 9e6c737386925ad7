"""Chunked reading of Amazon ML CSV data: any file size, bounded memory, every bad record accounted for.

Each file is read as raw bytes in blocks cut at line ends (gzip undone on the
fly). Per block, numpy finds the lines and checks their shape (field count
with quote parity, unbalanced quotes, NUL bytes, length, UTF-8) without a
Python loop per row; the well-formed lines go to pandas' C parser as strings
and are then typed per the schema. A record is one non-blank line after the
header; blank lines are skipped (and still counted as physical lines).
A DataRearrangement selects among all records, valid or not, so a split and
its complement partition the records whatever their validity.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from .binary import parse_binary
from .schema import Schema
from .split import Rearrangement, selection_mask

MAX_RECORD_BYTES = 100 * 1024
MAX_REPORTED = 10
_BOM = b"\xef\xbb\xbf"
_NEWLINE, _CR, _COMMA, _QUOTE, _NUL = 10, 13, 44, 34, 0
_NAN_WORDS = frozenset({"nan", "+nan", "-nan"})


class DataError(ValueError):
    """The data cannot be used at all (missing, unreadable, or without a single record)."""


@dataclass(frozen=True)
class InvalidRecord:
    file: str
    line: int
    reason: str


@dataclass
class ReadReport:
    """What a read saw, for DataSizeInBytes, NumberOfFiles and the failure Message."""

    files: int = 0
    bytes_read: int = 0
    rows: int = 0
    invalid_rows: int = 0
    first_invalid: list[InvalidRecord] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.rows + self.invalid_rows

    def note_invalid(self, file: str, lines: np.ndarray, reasons: list[str]) -> None:
        self.invalid_rows += len(lines)
        room = MAX_REPORTED - len(self.first_invalid)
        for line, reason in zip(lines[:room].tolist(), reasons[:room], strict=True):
            self.first_invalid.append(InvalidRecord(file, int(line), reason))

    def describe_invalid(self) -> str:
        """One sentence naming how many records were invalid and where the first ones are."""
        shown = "; ".join(f"{Path(r.file).name} line {r.line}: {r.reason}" for r in self.first_invalid)
        return f"{self.invalid_rows} of {self.records} records are invalid (first: {shown})"


@dataclass
class Chunk:
    """One block of records from one file, typed per the schema.

    frame: one column per schema attribute (NUMERIC and BINARY float64, the
    others strings), NaN/NA for missing. line_numbers: 1-based physical lines.
    positions: 0-based record numbers over the whole data. invalid_counts:
    per attribute, values that made a record invalid (counted before invalid
    rows are dropped); dropped: invalid records left out of this chunk.
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
    """Records in the data (non-blank lines after any header), malformed ones included."""
    total = 0
    for path in files:
        for block, first_line in _file_blocks(path, chunk_bytes):
            lines = _Lines.find(block)
            total += int(np.count_nonzero(lines.record_mask(first_line, schema.has_header)))
    return total


def iter_chunks(
    files: list[Path],
    schema: Schema,
    *,
    chunk_bytes: int = 32 << 20,
    selection: Rearrangement | None = None,
    keep_invalid: bool = False,
    report: ReadReport | None = None,
) -> Iterator[Chunk]:
    """Typed chunks of the selected records, in file order; DataError if no file has a record."""
    report = report if report is not None else ReadReport()
    total = count_records(files, schema, chunk_bytes=chunk_bytes) if selection and selection.needs_total else None
    position = 0
    empty: list[str] = []
    for file_index, path in enumerate(files):
        records_before = position
        for block, first_line in _file_blocks(path, chunk_bytes):
            parsed = _BlockParser(schema, block, first_line, position).run(selection, total, file_index)
            position += parsed.records
            chunk = parsed.chunk(file_index, keep_invalid, report, str(path))
            del parsed, block  # the raw block and its line arrays are not needed while the caller works
            if chunk is not None:
                yield chunk
            del chunk
        report.files += 1
        report.bytes_read += path.stat().st_size
        if position == records_before:
            empty.append(_why_empty(path, schema))
    if position == 0:
        raise DataError("the data has no records: " + "; ".join(empty))


def _why_empty(path: Path, schema: Schema) -> str:
    if path.stat().st_size == 0:
        return f"{path.name} is empty"
    return f"{path.name} has only a header line" if schema.has_header else f"{path.name} has only blank lines"


def _open(path: Path) -> BinaryIO:
    stream = path.open("rb")
    magic = stream.read(2)
    stream.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if path.suffix == ".gz" and magic:
        stream.close()
        raise DataError(f"{path.name} ends in .gz but is not gzip-compressed")
    return stream


def _file_blocks(path: Path, chunk_bytes: int) -> Iterator[tuple[bytes, int]]:
    """(block of whole lines ending in \\n, line number of its first line), BOM removed."""
    try:
        with _open(path) as stream:
            line = 1
            first = True
            for block in _complete_lines(stream, chunk_bytes):
                if first and block.startswith(_BOM):
                    block = block[len(_BOM) :]
                first = False
                yield block, line
                line += block.count(b"\n")
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"cannot read {path.name}: {err}") from None


def _complete_lines(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """Blocks of complete lines; a line longer than MAX_RECORD_BYTES is cut short (it is invalid anyway).

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
                yield pending
            pending = buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_RECORD_BYTES:
            carry, skipping = carry[: MAX_RECORD_BYTES + 1], True
    tail = pending + carry + b"\n" if carry else pending
    if tail:
        yield tail


@dataclass
class _Lines:
    """Line geometry of a block: numpy arrays over lines, one entry per \\n."""

    data: np.ndarray
    starts: np.ndarray
    newlines: np.ndarray
    lengths: np.ndarray

    @classmethod
    def find(cls, block: bytes) -> _Lines:
        data = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(data == _NEWLINE)
        starts = np.concatenate(([0], newlines[:-1] + 1))
        has_cr = (newlines > starts) & (data[np.maximum(newlines - 1, 0)] == _CR)
        return cls(data, starts, newlines, newlines - starts - has_cr)

    def record_mask(self, first_line: int, has_header: bool) -> np.ndarray:
        mask = self.lengths > 0
        if has_header and first_line == 1 and len(mask):
            mask[0] = False
        return mask

    def per_line(self, byte: int) -> np.ndarray:
        """How many times `byte` occurs in each line: sorted positions, counted between line starts."""
        at = np.flatnonzero(self.data == byte)
        if not len(at):
            return np.zeros(len(self.starts), dtype=np.int64)
        return np.diff(np.searchsorted(at, self.newlines), prepend=0)


class _BlockParser:
    """Turns one block into typed records; one instance per block."""

    def __init__(self, schema: Schema, block: bytes, first_line: int, first_position: int) -> None:
        self.schema = schema
        self.block = block
        self.lines = _Lines.find(block)
        is_record = self.lines.record_mask(first_line, schema.has_header)
        self.index = np.flatnonzero(is_record)  # line indexes of records
        self.records = len(self.index)
        self.line_numbers = first_line + self.index.astype(np.int64)
        self.positions = first_position + np.arange(self.records, dtype=np.int64)

    def run(self, selection: Rearrangement | None, total: int | None, file_index: int) -> _BlockParser:
        keep = selection_mask(selection, row_positions=self.positions, total_rows=total,
                              file_indexes=file_index, line_numbers=self.line_numbers)
        self.index, self.line_numbers, self.positions = self.index[keep], self.line_numbers[keep], self.positions[keep]
        self.reasons = _shape_problems(self.lines, self.index, len(self.schema.attributes), self.block)
        well_formed = np.array([reason is None for reason in self.reasons], dtype=bool)
        # _parse may find more malformed lines (updating well_formed and reasons in place)
        raw = self._parse(well_formed)
        self.frame, self.cell_reasons, self.cell_masks = _typed_frame(self.schema, raw, well_formed)
        return self

    def _parse(self, well_formed: np.ndarray) -> pd.DataFrame:
        """The well-formed lines as columns: NUMERIC already float64 when every value parses, else strings.

        The C parser reads numbers directly (the common case); a block with
        a non-number falls back to strings for typing, and a block the C
        parser splits differently from the shape check goes to the csv module.
        """
        good = self.index[well_formed]
        names = list(self.schema.names)
        if not len(good):
            return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
        text = self._good_text(good)
        numeric = {a.name: np.float64 for a in self.schema.attributes if a.type == "NUMERIC"}
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
        return _parse_slowly(text, names, well_formed, self.reasons)

    def _good_text(self, good: np.ndarray) -> bytes:
        """The bytes of the given lines; a plain slice when they are consecutive (the usual case)."""
        starts, newlines = self.lines.starts, self.lines.newlines
        if good[-1] - good[0] + 1 == len(good):
            return self.block[int(starts[good[0]]) : int(newlines[good[-1]]) + 1]
        line_mask = np.zeros(len(starts), dtype=bool)
        line_mask[good] = True
        segment = np.diff(np.append(starts, len(self.lines.data)))
        return self.lines.data[np.repeat(line_mask, segment)].tobytes()

    def chunk(self, file_index: int, keep_invalid: bool, report: ReadReport, file: str) -> Chunk | None:
        reasons = [shape or cell for shape, cell in zip(self.reasons, self.cell_reasons, strict=True)]
        valid = np.array([reason is None for reason in reasons], dtype=bool)
        bad = np.flatnonzero(~valid)
        report.note_invalid(file, self.line_numbers[bad], [reasons[i] for i in bad])
        report.rows += int(valid.sum())
        if not len(valid):
            return None
        counts = {name: int(mask.sum()) for name, mask in self.cell_masks.items()}
        frame, lines, positions, dropped = self.frame, self.line_numbers, self.positions, 0
        if not keep_invalid and len(bad):
            frame = frame[valid].reset_index(drop=True)
            lines, positions, dropped, valid = lines[valid], positions[valid], len(bad), valid[valid]
        return Chunk(frame=frame, line_numbers=lines, file_index=file_index, valid=valid,
                     nbytes=len(self.block), positions=positions, invalid_counts=counts, dropped=dropped)


def _shape_problems(lines: _Lines, index: np.ndarray, fields: int, block: bytes) -> list[str | None]:
    """Per record: why its line cannot be parsed, or None. Vectorised except for the rare bad lines."""
    data = lines.data
    commas = lines.per_line(_COMMA)[index]
    quotes = lines.per_line(_QUOTE)
    nuls = lines.per_line(_NUL)[index]
    found = commas + 1
    if quotes.any():
        found = _fields_outside_quotes(lines, data, quotes)[index]
    quotes = quotes[index]
    lengths = lines.lengths[index]
    bad_utf8 = _bad_utf8_lines(block, lines)
    problems: list[str | None] = [None] * len(index)
    suspects = (lengths > MAX_RECORD_BYTES) | (nuls > 0) | (quotes % 2 == 1) | (found != fields)
    suspects |= np.isin(index, list(bad_utf8))
    for i in np.flatnonzero(suspects).tolist():
        if lengths[i] > MAX_RECORD_BYTES:
            problems[i] = f"the record is longer than {MAX_RECORD_BYTES // 1024} KB"
        elif index[i] in bad_utf8:
            problems[i] = "the record is not valid UTF-8"
        elif nuls[i]:
            problems[i] = "the record contains a NUL byte"
        elif quotes[i] % 2:
            problems[i] = "the record has an unbalanced double quote"
        else:
            problems[i] = f"expected {fields} fields, found {found[i]}"
    return problems


def _fields_outside_quotes(lines: _Lines, data: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """Fields per line counting only commas outside double quotes (quote parity since line start)."""
    is_quote = (data == _QUOTE).view(np.uint8)
    # only parity matters, and uint8 wraps at 256 (even), so one byte per byte of data suffices
    quotes_before = np.cumsum(is_quote, dtype=np.uint8) - is_quote  # quotes strictly before each byte
    comma_at = np.flatnonzero(data == _COMMA)
    line_of = np.searchsorted(lines.newlines, comma_at)
    parity = (quotes_before[comma_at] - quotes_before[lines.starts[line_of]]) & 1
    return np.bincount(line_of[parity == 0], minlength=len(lines.starts)) + 1


def _bad_utf8_lines(block: bytes, lines: _Lines) -> set[int]:
    """Indexes of lines that are not valid UTF-8; one C-speed decode when the block is clean."""
    bad: set[int] = set()
    offset = 0
    while True:
        try:
            block[offset:].decode("utf-8")
            return bad
        except UnicodeDecodeError as err:
            line = int(np.searchsorted(lines.newlines, offset + err.start))
            bad.add(line)
            if line + 1 >= len(lines.starts):
                return bad
            offset = int(lines.starts[line + 1])


def _parse_slowly(text: bytes, names: list[str], well_formed: np.ndarray, reasons: list[str | None]) -> pd.DataFrame:
    """Line by line with the csv module, for lines the C parser splits differently (quotes inside a field)."""
    rows: list[list[str | None]] = []
    positions = np.flatnonzero(well_formed)
    for position, line in zip(positions.tolist(), text.decode("utf-8").split("\n"), strict=False):
        try:
            fields = next(csv.reader([line.removesuffix("\r")], strict=True))
        except csv.Error:
            fields = []
        if len(fields) != len(names):
            reasons[position] = f"expected {len(names)} fields, found {len(fields)}"
            well_formed[position] = False
            continue
        rows.append([value if value != "" else None for value in fields])
    return pd.DataFrame(rows, columns=names, dtype=object)


def _typed_frame(
    schema: Schema, raw: pd.DataFrame, well_formed: np.ndarray
) -> tuple[pd.DataFrame, list[str | None], dict[str, np.ndarray]]:
    """Type each column; malformed records become all-missing rows.

    Returns the frame, per record the first invalid value's reason, and per
    NUMERIC/BINARY attribute the mask of invalid values.
    """
    count = len(well_formed)
    reasons: list[str | None] = [None] * count
    rows_at = np.flatnonzero(well_formed)
    columns: dict[str, np.ndarray] = {}
    masks: dict[str, np.ndarray] = {}
    for attribute in schema.attributes:
        values = raw[attribute.name]
        if attribute.type == "NUMERIC":
            typed, invalid = _number_column(values)
        elif attribute.type == "BINARY":
            parsed = parse_binary(values)
            typed, invalid = parsed.values, parsed.invalid
        else:
            typed, invalid = values.to_numpy(dtype=object), None
        if invalid is not None:
            masks[attribute.name] = _spread(invalid, rows_at, count, False)
            for i in np.flatnonzero(invalid).tolist():
                if reasons[rows_at[i]] is None:
                    reasons[rows_at[i]] = _cell_reason(attribute.name, attribute.type, values.iat[i])
        columns[attribute.name] = _spread(typed, rows_at, count, np.nan)
    return pd.DataFrame(columns, copy=False), reasons, masks


def _spread(values: np.ndarray, rows_at: np.ndarray, count: int, fill: object) -> np.ndarray:
    """Place per-good-row values at their records' rows; malformed records get `fill`."""
    if len(rows_at) == count:
        return values
    full = np.full(count, fill, dtype=values.dtype)
    full[rows_at] = values
    return full


def _number_column(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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
