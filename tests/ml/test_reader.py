import gzip
import json

import numpy as np
import pandas as pd
import pytest

from aml_cli.ml.binary import binary_from_scalar, parse_binary
from aml_cli.ml.reader import (
    MAX_REPORTED,
    DataError,
    ReadReport,
    count_records,
    iter_chunks,
    list_data_files,
)
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.split import parse_rearrangement


def make_schema(header=True, types=("NUMERIC", "CATEGORICAL", "TEXT", "BINARY"), names=("n", "c", "t", "b")):
    attributes = [{"attributeName": name, "attributeType": kind} for name, kind in zip(names, types, strict=True)]
    return parse_schema(json.dumps({"dataFileContainsHeader": header, "attributes": attributes}))


SCHEMA = make_schema()


def read(files, schema=SCHEMA, **options):
    report = ReadReport()
    chunks = list(iter_chunks(files if isinstance(files, list) else [files], schema, report=report, **options))
    frame = pd.concat([chunk.frame for chunk in chunks], ignore_index=True)
    lines = np.concatenate([chunk.line_numbers for chunk in chunks])
    valid = np.concatenate([chunk.valid for chunk in chunks])
    return frame, lines, valid, report, chunks


@pytest.fixture
def write(tmp_path):
    def write(name, data, compress=False):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path.write_bytes(gzip.compress(raw) if compress else raw)
        return path

    return write


# BINARY values


def test_binary_values_follow_the_services_list_in_any_case_and_spacing():
    column = pd.Series(["0", " n", "No", "f ", "FALSE", "1", "y", "YES", "t", "True", "", None, "maybe", "2"])
    parsed = parse_binary(column)
    expected = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, np.nan, np.nan, np.nan, np.nan]
    np.testing.assert_array_equal(parsed.values, np.array(expected, dtype=float))
    assert parsed.invalid.tolist() == [False] * 12 + [True, True]


def test_a_single_binary_value_is_parsed_the_same_way():
    assert binary_from_scalar(" Yes ") == 1.0
    assert binary_from_scalar("f") == 0.0
    assert np.isnan(binary_from_scalar("maybe"))


# files and folders


def test_a_folder_lists_its_visible_files_recursively_in_name_order(write, tmp_path):
    for name in ("b.csv", "a/z.csv", "a/b.csv.gz", ".hidden", ".git/x.csv", "c/.secret.csv"):
        write(f"data/{name}", "x")
    files = list_data_files(tmp_path / "data")
    assert [file.relative_to(tmp_path / "data").as_posix() for file in files] == ["a/b.csv.gz", "a/z.csv", "b.csv"]


def test_a_single_file_is_its_own_listing(write):
    path = write("one.csv", "x")
    assert list_data_files(path) == [path]


def test_a_missing_location_or_an_empty_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no file or folder"):
        list_data_files(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no data files"):
        list_data_files(tmp_path / "empty")


# typing


def test_columns_are_typed_per_the_schema(write):
    path = write("d.csv", 'n,c,t,b\n1.5,red,"hello, world",yes\n,,,\n -2 ,blue,a b c,F\n')
    frame, lines, valid, report, _ = read(path)
    assert list(frame.columns) == ["n", "c", "t", "b"]
    assert frame["n"].dtype == np.float64 and frame["b"].dtype == np.float64
    np.testing.assert_array_equal(frame["n"].to_numpy(), [1.5, np.nan, -2.0])
    np.testing.assert_array_equal(frame["b"].to_numpy(), [1.0, np.nan, 0.0])
    assert frame["c"].tolist()[0::2] == ["red", "blue"]
    assert frame["t"][0] == "hello, world"
    assert pd.isna(frame["c"][1]) and pd.isna(frame["t"][1])
    assert lines.tolist() == [2, 3, 4]
    assert valid.all() and report.rows == 3 and report.invalid_rows == 0


def test_crlf_line_ends_and_a_byte_order_mark_are_handled(write):
    path = write("d.csv", b"\xef\xbb\xbfn,c,t,b\r\n1,x,y,1\r\n2,\"q,r\",z,0\r\n")
    frame, lines, *_ = read(path)
    assert frame["n"].tolist() == [1.0, 2.0]
    assert frame["c"].tolist() == ["x", "q,r"]
    assert frame["b"].tolist() == [1.0, 0.0]
    assert lines.tolist() == [2, 3]


def test_a_bom_without_a_header_does_not_stick_to_the_first_value(write):
    path = write("d.csv", b"\xef\xbb\xbf7,x,y,1\n")
    frame, *_ = read(path, make_schema(header=False))
    assert frame["n"].tolist() == [7.0]


def test_doubled_quotes_inside_a_quoted_value_are_one_quote(write):
    frame, *_ = read(write("d.csv", 'n,c,t,b\n1,"say ""hi""",x,1\n'))
    assert frame["c"][0] == 'say "hi"'


def test_blank_lines_are_skipped_but_line_numbers_stay_physical(write):
    frame, lines, _valid, report, _ = read(write("d.csv", "n,c,t,b\n\n1,a,b,1\n\r\n\n2,a,b,0"))
    assert lines.tolist() == [3, 6]
    assert frame["n"].tolist() == [1.0, 2.0]
    assert report.records == 2


def test_nan_text_is_missing_and_infinity_is_invalid(write):
    _, _lines, valid, _report, chunks = read(write("d.csv", "n,c,t,b\nnan,a,b,1\ninf,a,b,1\n1e999,a,b,1\n"),
                                           keep_invalid=True)
    assert valid.tolist() == [True, False, False]
    assert np.isnan(chunks[0].frame["n"][0])
    assert chunks[0].invalid_counts == {"n": 2, "b": 0}


# invalid records


BAD = (
    "n,c,t,b\n"
    "1,a,b,1\n"
    "2,a,b\n"  # too few fields
    "3,a,b,1,extra\n"  # too many
    "four,a,b,1\n"  # not a number
    "5,a,b,perhaps\n"  # not a BINARY value
    '6,"open,b,1\n'  # unbalanced quote
    "7,a,b,0\n"
)


def test_invalid_records_are_dropped_and_reported_with_their_reasons(write):
    path = write("bad.csv", BAD)
    frame, lines, valid, report, chunks = read(path)
    assert frame["n"].tolist() == [1.0, 7.0]
    assert lines.tolist() == [2, 8]
    assert valid.all()
    assert (report.rows, report.invalid_rows) == (2, 5)
    assert sum(chunk.dropped for chunk in chunks) == 5
    assert [(r.line, r.reason) for r in report.first_invalid] == [
        (3, "expected 4 fields, found 3"),
        (4, "expected 4 fields, found 5"),
        (5, '"n" value "four" is not a number'),
        (6, '"b" value "perhaps" is not a BINARY value (0/1, yes/no, true/false, y/n, t/f)'),
        (7, "the record has an unbalanced double quote"),
    ]
    assert report.first_invalid[0].file == str(path)
    assert report.describe_invalid().startswith("5 of 7 records are invalid (first: bad.csv line 3:")


def test_keep_invalid_keeps_one_row_per_record_in_order(write):
    frame, lines, valid, _report, chunks = read(write("bad.csv", BAD), keep_invalid=True)
    assert lines.tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert valid.tolist() == [True, False, False, False, False, False, True]
    assert frame.iloc[1].isna().all()  # a malformed line has no values
    assert frame["c"][3] == "a"  # a record with one bad value keeps the others
    assert chunks[0].invalid_counts == {"n": 1, "b": 1}


def test_only_the_first_invalid_records_are_listed_but_all_are_counted(write):
    path = write("d.csv", "n,c,t,b\n" + "x,a,b,1\n" * 25)
    _, _, _, report, _ = read(path, keep_invalid=True)
    assert report.invalid_rows == 25
    assert [r.line for r in report.first_invalid] == list(range(2, 2 + MAX_REPORTED))


def test_a_quote_inside_a_value_does_not_crash_the_parser(write):
    frame, _lines, valid, _report, _ = read(write("d.csv", 'n,c,t,b\n1,x"y,z"w,1\n2,a,b,1\n'), keep_invalid=True)
    assert valid.tolist() == [False, True]
    assert frame["n"][1] == 2.0


def test_invalid_utf8_and_nul_bytes_make_only_their_records_invalid(write):
    data = b"n,c,t,b\n1,caf\xe9,x,1\n2,ok,x,1\n3,a\x00b,x,1\n4,\xc3\xa9t\xc3\xa9,x,0\n"
    frame, _lines, _valid, report, _ = read(write("d.csv", data))
    assert frame["n"].tolist() == [2.0, 4.0]
    assert frame["c"].tolist() == ["ok", "été"]
    assert [(r.line, r.reason) for r in report.first_invalid] == [
        (2, "the record is not valid UTF-8"),
        (4, "the record contains a NUL byte"),
    ]


def test_a_record_over_100_kb_is_invalid(write):
    path = write("d.csv", f"n,c,t,b\n1,a,{'x' * 110_000},1\n2,a,{'y' * 90_000},0\n")
    _frame, lines, _, report, _ = read(path)
    assert lines.tolist() == [3]
    assert report.first_invalid[0].reason == "the record is longer than 100 KB"


def test_a_10_mb_field_is_skipped_with_small_blocks_and_the_rest_is_read(write):
    path = write("d.csv", "n,c,t,b\n1,a,b,1\n2,a," + "z" * 10_000_000 + ",1\n3,a,b,0\n4,a,b,1")
    _frame, lines, _, report, chunks = read(path, chunk_bytes=1 << 16)
    assert lines.tolist() == [2, 4, 5]
    assert (report.invalid_rows, report.first_invalid[0].line) == (1, 3)
    assert max(chunk.nbytes for chunk in chunks) < 300_000
    assert count_records([path], SCHEMA, chunk_bytes=1 << 16) == 4


# files that cannot be used


def test_an_empty_file_is_a_clear_data_error(write):
    with pytest.raises(DataError, match=r"the data has no records: e\.csv is empty"):
        read(write("e.csv", ""))


def test_a_header_only_file_is_a_clear_data_error(write):
    with pytest.raises(DataError, match=r"h\.csv has only a header line"):
        read(write("h.csv", "n,c,t,b\n"))


def test_an_empty_file_beside_others_is_just_no_records(write, tmp_path):
    write("data/a.csv", "")
    write("data/b.csv", "n,c,t,b\n1,a,b,1\n")
    frame, *_ , report, _ = read(list_data_files(tmp_path / "data"))
    assert len(frame) == 1 and report.files == 2


def test_a_gz_name_on_plain_text_is_a_data_error(write):
    with pytest.raises(DataError, match=r"ends in \.gz but is not gzip-compressed"):
        read(write("d.csv.gz", "n,c,t,b\n1,a,b,1\n"))


# folders, gzip and chunking


def test_a_folder_of_gzip_files_reads_like_the_plain_data(write, tmp_path):
    rows = [f"{i},c{i % 3},word{i} other,{i % 2}" for i in range(300)]
    write("gz/part-0.csv.gz", "n,c,t,b\n" + "\n".join(rows[:120]) + "\n", compress=True)
    write("gz/part-1.csv.gz", "n,c,t,b\r\n" + "\r\n".join(rows[120:]), compress=True)
    plain = write("plain.csv", "n,c,t,b\n" + "\n".join(rows) + "\n")
    gz_frame, gz_lines, _, report, chunks = read(list_data_files(tmp_path / "gz"))
    plain_frame, *_ = read(plain)
    pd.testing.assert_frame_equal(gz_frame, plain_frame)
    assert [chunk.file_index for chunk in chunks] == [0, 1]
    assert gz_lines[:2].tolist() == [2, 3] and gz_lines[120:122].tolist() == [2, 3]
    assert report.files == 2 and report.bytes_read == sum(p.stat().st_size for p in (tmp_path / "gz").iterdir())


def test_small_blocks_give_the_same_records_as_one_block(write):
    rng = np.random.default_rng(3)
    rows = [f"{rng.normal():.6f},c{rng.integers(9)},\"t, {i}\",{rng.choice(['yes', 'no', 'bad'])}" for i in range(500)]
    path = write("d.csv", "n,c,t,b\r\n" + "\r\n".join(rows) + "\r\n\r\n3,x\r\n")
    whole = read(path, keep_invalid=True)
    pieces = read(path, keep_invalid=True, chunk_bytes=97)
    pd.testing.assert_frame_equal(whole[0], pieces[0])
    assert (whole[1] == pieces[1]).all() and (whole[2] == pieces[2]).all()
    assert len(pieces[4]) > 50
    assert whole[3].invalid_rows == pieces[3].invalid_rows == 1 + sum(r.endswith(",bad") for r in rows)
    positions = np.concatenate([chunk.positions for chunk in pieces[4]])
    assert positions.tolist() == list(range(501))


def test_count_records_counts_every_non_blank_line_after_the_header(write):
    path = write("d.csv", "n,c,t,b\n1,a,b,1\n\nbroken\n2,a,b,1")
    assert count_records([path], SCHEMA) == 3
    assert count_records([path], make_schema(header=False)) == 4


@pytest.mark.parametrize("strategy", ["sequential", "random"])
def test_a_split_and_its_complement_partition_the_records_of_several_files(write, tmp_path, strategy):
    for part in range(3):
        write(f"s/p{part}.csv", "n,c,t,b\n" + "".join(f"{part * 1000 + i},a,b,1\n" for i in range(400)))
    files = list_data_files(tmp_path / "s")
    spec = {"percentBegin": 10, "percentEnd": 80, "strategy": strategy, "strategyParams": {"randomSeed": "7"}}
    inside = read(files, selection=parse_rearrangement(json.dumps({"splitting": spec})), chunk_bytes=500)[0]
    spec["complement"] = "true"
    outside = read(files, selection=parse_rearrangement(json.dumps({"splitting": spec})), chunk_bytes=500)[0]
    ids_in, ids_out = set(inside["n"]), set(outside["n"])
    assert not ids_in & ids_out
    assert len(ids_in | ids_out) == 1200
    assert abs(len(ids_in) - 840) < 60
    if strategy == "sequential":
        assert sorted(ids_in) == [float(p * 1000 + i) for p in range(3) for i in range(400)][120:960]


def test_a_corrupt_gzip_file_is_a_data_error(write):
    data = gzip.compress(b"n,c,t,b\n" + b"1,a,b,1\n" * 1000)
    with pytest.raises(DataError, match=r"cannot read d\.csv\.gz"):
        read(write("d.csv.gz", data[: len(data) // 2]))


@pytest.mark.parametrize("target", ["binary", "multiclass", "numeric"])
def test_the_benchmark_generator_writes_data_the_reader_accepts_in_full(tmp_path, target):
    import importlib.util
    from pathlib import Path

    module_path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_data.py"
    spec = importlib.util.spec_from_file_location("generate_data", module_path)
    generate_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate_data)
    path = tmp_path / "g.csv"
    schema = parse_schema(json.dumps(generate_data.write(path, 3000, target=target)))
    frame, _, _, report, _ = read(path, schema)
    assert (report.rows, report.invalid_rows) == (3000, 0)
    assert frame["age"].isna().mean() == pytest.approx(0.02, abs=0.01)
    assert set(frame["member"].unique()) == {0.0, 1.0}
    again = tmp_path / "again.csv"
    generate_data.write(again, 3000, target=target)
    assert again.read_bytes() == path.read_bytes()


def test_random_quoted_records_parse_exactly_as_the_csv_module_does(write):
    import csv
    import io

    rng = np.random.default_rng(11)
    alphabet = np.array(list('ab ,"x'))
    records = []
    for _ in range(400):
        fields = ["".join(rng.choice(alphabet, rng.integers(0, 6))) for _ in range(3)]
        records.append([str(rng.integers(100)), *fields])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(records)
    schema = make_schema(header=False, types=("NUMERIC", "CATEGORICAL", "TEXT", "CATEGORICAL"))
    frame, *_ = read(write("q.csv", buffer.getvalue()), schema, chunk_bytes=1000)
    expected = [[float(r[0])] + [value if value else None for value in r[1:]] for r in records]
    assert frame.astype(object).where(frame.notna(), None).values.tolist() == expected
