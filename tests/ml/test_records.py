"""Records that span lines: a quoted field holding line breaks is one value (RFC 4180), read in bounded blocks."""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

from aml_cli.ml.reader import ReadReport, count_records, iter_chunks
from aml_cli.ml.records import MAX_RECORD_BYTES, find_records
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.split import parse_rearrangement

TYPES = {"id": "NUMERIC", "message": "TEXT", "channel": "CATEGORICAL", "spam": "BINARY"}


def schema_of(types=TYPES, header=True):
    attributes = [{"attributeName": name, "attributeType": kind} for name, kind in types.items()]
    return parse_schema(json.dumps({"dataFileContainsHeader": header, "attributes": attributes}))


SCHEMA = schema_of()


def messages_frame(count: int, seed: int = 4) -> pd.DataFrame:
    """Short messages as an export holds them: some with line breaks, CRLF, commas and quotes inside."""
    rng = np.random.default_rng(seed)
    pieces = np.array(["call me", "ok", "see you, soon", 'he said "now"', "win cash\nnow", "line\r\nbreak",
                       "a\n\nb", "", "x"])
    messages = [" ".join(rng.choice(pieces, rng.integers(1, 4))) for _ in range(count)]
    return pd.DataFrame({"id": np.arange(count), "message": messages,
                         "channel": rng.choice(["sms", "mail", "web chat"], count),
                         "spam": rng.choice(["yes", "no"], count)})


def read(path, schema=SCHEMA, **options):
    report = ReadReport()
    chunks = list(iter_chunks([path], schema, report=report, **options))
    frame = pd.concat([chunk.frame for chunk in chunks], ignore_index=True)
    lines = np.concatenate([chunk.line_numbers for chunk in chunks])
    valid = np.concatenate([chunk.valid for chunk in chunks])
    positions = np.concatenate([chunk.positions for chunk in chunks])
    return frame, lines, valid, report, positions


def physical_start_lines(text: str) -> list[int]:
    """The physical line each record of a well-formed CSV text starts on (after the header), by the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    starts, line = [], reader.line_num + 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return starts


def test_a_pandas_written_csv_with_line_breaks_in_quoted_fields_reads_back_record_for_record(tmp_path):
    expected = messages_frame(400)
    path = tmp_path / "messages.csv"
    expected.to_csv(path, index=False)
    frame, lines, _valid, report, _ = read(path, keep_invalid=True)
    assert (report.rows, report.invalid_rows) == (400, 0)
    assert frame["message"].fillna("").tolist() == expected["message"].tolist()
    assert frame["channel"].tolist() == expected["channel"].tolist()
    assert frame["id"].tolist() == list(range(400))
    assert lines.tolist() == physical_start_lines(path.read_text())
    assert (np.diff(lines) > 1).any(), "some records must span lines for this test to mean anything"


def test_crlf_inside_quotes_is_kept_in_the_value_and_crlf_line_ends_are_not(tmp_path):
    path = tmp_path / "crlf.csv"
    path.write_bytes(b'id,message,channel,spam\r\n1,"first\r\nsecond",sms,yes\r\n2,plain,mail,no\r\n')
    frame, lines, _valid, report, _ = read(path)
    assert frame["message"].tolist() == ["first\r\nsecond", "plain"]
    assert frame["spam"].tolist() == [1.0, 0.0]
    assert lines.tolist() == [2, 4] and report.invalid_rows == 0


@pytest.mark.parametrize("chunk_bytes", [16, 61, 97, 256, 4096])
def test_a_quoted_field_across_a_block_boundary_reads_as_with_one_block(tmp_path, chunk_bytes):
    path = tmp_path / "messages.csv"
    messages_frame(300, seed=chunk_bytes).to_csv(path, index=False)
    whole = read(path, keep_invalid=True)
    pieces = read(path, keep_invalid=True, chunk_bytes=chunk_bytes)
    pd.testing.assert_frame_equal(whole[0], pieces[0], check_dtype=False)  # a chunk of only missing text is object
    assert whole[1].tolist() == pieces[1].tolist()
    assert pieces[4].tolist() == list(range(300))
    assert pieces[3].invalid_rows == 0
    assert count_records([path], SCHEMA, chunk_bytes=chunk_bytes) == 300


def test_an_unterminated_quote_at_the_end_makes_only_its_first_line_invalid(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text('id,message,channel,spam\n1,ok,sms,yes\n2,"never closed,sms,no\n3,next,mail,no\n4,last,web,yes\n')
    frame, lines, valid, report, _ = read(path, keep_invalid=True)
    assert lines.tolist() == [2, 3, 4, 5]
    assert valid.tolist() == [True, False, True, True]
    assert [(r.line, r.reason) for r in report.first_invalid] == [(3, "the record has an unbalanced double quote")]
    assert frame["message"][2:].tolist() == ["next", "last"]


def test_a_quote_inside_an_unquoted_field_never_joins_lines(tmp_path):
    """`12" pizza` is a broken field, not the start of a quoted one: each such line is invalid alone."""
    path = tmp_path / "inches.csv"
    path.write_text('id,message,channel,spam\n1,12" pizza,sms,yes\n2,fine,mail,no\n3,14" pizza,web,no\n')
    _frame, lines, valid, report, _ = read(path, keep_invalid=True)
    assert lines.tolist() == [2, 3, 4]
    assert valid.tolist() == [False, True, False]
    assert {r.reason for r in report.first_invalid} == {"the record has an unbalanced double quote"}


def test_lines_joined_by_stray_quotes_into_the_wrong_field_count_stay_separate(tmp_path):
    """An opening quote at a field start whose 'record' up to the next odd line has the wrong shape."""
    path = tmp_path / "stray.csv"
    path.write_text('id,message,channel,spam\n1,"oops,sms,yes\n2,fine,mail,no\n3,also",web,no,extra\n')
    _frame, lines, valid, _report, _ = read(path, keep_invalid=True)
    assert lines.tolist() == [2, 3, 4]
    assert valid.tolist() == [False, True, False]


def test_a_multi_line_record_over_100_kb_is_not_joined(tmp_path):
    path = tmp_path / "long.csv"
    body = ("y" * 1000 + "\n") * (MAX_RECORD_BYTES // 1000 + 5)
    path.write_text(f'id,message,channel,spam\n1,"{body}",sms,yes\n2,after,mail,no\n')
    _frame, lines, valid, report, _ = read(path, keep_invalid=True, chunk_bytes=8192)
    assert report.first_invalid[0].line == 2
    assert report.first_invalid[0].reason == "the record has an unbalanced double quote"
    assert valid[-1] and lines[-1] == body.count("\n") + 3


def test_a_record_held_back_for_the_next_block_never_grows_past_the_limit(tmp_path):
    block = b'1,"' + b"z\n" * (MAX_RECORD_BYTES // 2 + 10)
    records, consumed = find_records(block, 4, final=False)
    assert consumed == len(block)  # too long to wait: the opening line is a record by itself
    assert records.first_lines[0] == 0 and records.quotes[0] == 1
    records, consumed = find_records(b'0,a,b,1\n1,"short\n', 4, final=False)
    assert consumed == len(b"0,a,b,1\n") and len(records.starts) == 1


def test_escaped_quotes_and_several_multi_line_fields_in_one_record(tmp_path):
    path = tmp_path / "both.csv"
    path.write_text('id,message,channel,spam\n1,"he said ""hi""\nthen left","web\nchat",yes\n2,"""quoted""",sms,no\n')
    frame, lines, _valid, report, _ = read(path)
    assert frame["message"].tolist() == ['he said "hi"\nthen left', '"quoted"']
    assert frame["channel"].tolist() == ["web\nchat", "sms"]
    assert lines.tolist() == [2, 5] and report.invalid_rows == 0


def test_a_blank_line_inside_a_quoted_field_is_part_of_the_value(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text('id,message,channel,spam\n\n1,"a\n\nb",sms,yes\n\n2,c,mail,no\n')
    frame, lines, _valid, report, _ = read(path)
    assert frame["message"].tolist() == ["a\n\nb", "c"]
    assert lines.tolist() == [3, 7] and report.records == 2


@pytest.mark.parametrize("strategy", ["sequential", "random"])
def test_splits_of_multi_line_records_are_complementary_and_do_not_depend_on_block_size(tmp_path, strategy):
    path = tmp_path / "messages.csv"
    messages_frame(500).to_csv(path, index=False)
    spec = {"percentBegin": 20, "percentEnd": 75, "strategy": strategy, "strategyParams": {"randomSeed": "s"}}
    inside = parse_rearrangement(json.dumps({"splitting": spec}))
    outside = parse_rearrangement(json.dumps({"splitting": {**spec, "complement": True}}))
    ids_in = read(path, selection=inside)[0]["id"].tolist()
    ids_out = read(path, selection=outside)[0]["id"].tolist()
    assert sorted(ids_in + ids_out) == list(range(500)) and not set(ids_in) & set(ids_out)
    assert read(path, selection=inside, chunk_bytes=111)[0]["id"].tolist() == ids_in
    if strategy == "sequential":
        assert ids_in == list(range(100, 375))


def test_without_quotes_in_a_block_every_line_is_a_unit():
    block = b"a,b\n\nc,d\r\n"
    records, consumed = find_records(block, 2, final=True)
    assert consumed == len(block)
    assert records.starts.tolist() == [0, 4, 5] and records.lengths.tolist() == [3, 0, 3]
    assert records.fields.tolist() == [2, 1, 2]


@pytest.mark.parametrize("chunk_bytes", [50, 1000, 1 << 20])
def test_random_records_with_line_breaks_parse_exactly_as_the_csv_module_does(tmp_path, chunk_bytes):
    rng = np.random.default_rng(chunk_bytes)
    alphabet = np.array([*list('ab ,"x\n'), "\r\n"])
    records = [[str(rng.integers(100))] + ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(3)]
               for _ in range(400)]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(records)
    path = tmp_path / "q.csv"
    path.write_bytes(buffer.getvalue().encode())
    schema = schema_of({"n": "NUMERIC", "a": "CATEGORICAL", "b": "TEXT", "c": "CATEGORICAL"}, header=False)
    frame, _lines, _valid, report, _ = read(path, schema, chunk_bytes=chunk_bytes)
    expected = [[float(r[0])] + [value if value else None for value in r[1:]] for r in records]
    assert report.invalid_rows == 0
    assert frame.astype(object).where(frame.notna(), None).values.tolist() == expected


def test_runs_of_stray_quotes_around_real_multi_line_records_are_each_resolved(tmp_path):
    lines = ['1,12" pizza,sms,yes', '2,14" pizza,sms,no', '3,"two', 'lines",web,no', '4,9" nails,mail,yes',
             '5,"three', "whole", 'lines",sms,yes', '6,plain,web,no', '7,"open,sms,no']
    path = tmp_path / "mixed.csv"
    path.write_text("id,message,channel,spam\n" + "\n".join(lines) + "\n")
    frame, starts, valid, _report, _ = read(path, keep_invalid=True, chunk_bytes=40)
    assert starts.tolist() == [2, 3, 4, 6, 7, 10, 11]
    assert valid.tolist() == [False, False, True, False, True, True, False]
    assert frame["message"][valid].tolist() == ["two\nlines", "three\nwhole\nlines", "plain"]


def test_per_line_counts_hold_lines_of_many_commas():
    """The per-line sums (32-bit) count lines of 70,000 commas exactly, as Python counts them."""
    from aml_cli.ml.records import _per_line_count

    text = b"a,b\n" + b"," * 70_000 + b"\n\n" + b"x" * 300 + b",\n"
    data = np.frombuffer(text, dtype=np.uint8)
    lines = text.split(b"\n")[:-1]
    starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]])
    found = _per_line_count(data == ord(","), starts, len(lines))
    assert found.dtype == np.int64
    assert found.tolist() == [line.count(b",") for line in lines]
