"""The pyarrow fast path reads every file exactly as the pandas C parser path does, invalid records included."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aml_cli.ml import arrow_csv
from aml_cli.ml.reader import ReadReport, iter_chunks
from aml_cli.ml.schema import parse_schema

pytestmark = pytest.mark.skipif(not arrow_csv.available(), reason="pyarrow (or pandas >= 3.1) is not installed")

TYPES = ["NUMERIC", "CATEGORICAL", "TEXT", "BINARY", "NUMERIC"]


def schema(header: bool = False, types: list[str] = TYPES):
    attributes = [{"attributeName": f"c{i}", "attributeType": kind} for i, kind in enumerate(types)]
    return parse_schema(json.dumps({"version": "1.0", "dataFormat": "CSV", "dataFileContainsHeader": header,
                                    "targetAttributeName": "c0", "attributes": attributes}))


def read(path, the_schema, monkeypatch, *, fast: bool, keep_invalid: bool, chunk_bytes: int):
    monkeypatch.setattr(arrow_csv, "available", lambda: fast)
    report = ReadReport()
    chunks = list(iter_chunks([path], the_schema, chunk_bytes=chunk_bytes, keep_invalid=keep_invalid, report=report))
    return chunks, report


def assert_same_reads(path, the_schema, monkeypatch, chunk_bytes: int = 1 << 20) -> None:
    for keep_invalid in (False, True):
        fast, fast_report = read(path, the_schema, monkeypatch, fast=True, keep_invalid=keep_invalid,
                                 chunk_bytes=chunk_bytes)
        slow, slow_report = read(path, the_schema, monkeypatch, fast=False, keep_invalid=keep_invalid,
                                 chunk_bytes=chunk_bytes)
        assert fast_report == slow_report
        assert len(fast) == len(slow)
        for a, b in zip(fast, slow, strict=True):
            pd.testing.assert_frame_equal(a.frame, b.frame, check_dtype=True, check_exact=True)
            for name in ("line_numbers", "valid", "positions"):
                np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
            assert (a.invalid_counts, a.dropped, a.nbytes, a.file_index) == (
                b.invalid_counts, b.dropped, b.nbytes, b.file_index)
            for name in a.frame.columns:  # NUMERIC values bit for bit (-0.0 included)
                if a.frame[name].dtype == np.float64:
                    assert a.frame[name].to_numpy().tobytes() == b.frame[name].to_numpy().tobytes()


ROWS = [
    "1.5,lisbon,good fast service,yes,2",
    "-0,oslo,bad,no,-3.25",
    ".5,\"quoted, with comma\",\"she said \"\"hi\"\"\",1,5.",
    ",,,,",
    "\"\",\"\",\"\",\"\",\"\"",
    "7,x,  spaced  ,true,007",
    "1e5,e,exponent,0,1E-3",
    " 7,x,leading space number,y,1",
    "inf,x,infinity,n,1",
    "nan,x,nan word,t,1",
    "abc,x,not a number,f,1",
    "1,x,y,maybe,1",
    "1,two,fields",
    "1,x,\"open quote,1,1",
    "1,ab\"\"c,inner quotes,1,1",
    "1,\"a\"b,after close,1,1",
    "2,ünïcode,日本語 テキスト,yes,3",
    "3,tab\there,x,1,-.5",
    "4,x,\"multi\nline\",1,1",
    "5,x,y,1,1\r",
    "6,x,lone\rcr,1,1",
    "",
    "8,x,\"\"\"quoted start\",0,1",
    "9,\"x\",\"y\",\"1\",\"2.5\"",
    "10,x,y,1,--1",
    "11,x,y,1,1.2.3",
    "12,x,y,1,-",
    "nan,x,y,1,NaN",
    "1e500,x,y,1,-1e500",
    "+.5,x,y,1,1e-500",
    "0x1,x,y,1,1_0",
]


def write(tmp_path, rows, *, name="data.csv", prefix=b""):
    path = tmp_path / name
    path.write_bytes(prefix + ("\n".join(rows) + "\n").encode("utf-8"))
    return path


@pytest.mark.parametrize("chunk_bytes", [64, 300, 1 << 20])
def test_every_kind_of_record_reads_the_same_both_ways(tmp_path, monkeypatch, chunk_bytes):
    path = write(tmp_path, ROWS * 3)
    assert_same_reads(path, schema(), monkeypatch, chunk_bytes)


def test_bad_bytes_header_and_bom_read_the_same_both_ways(tmp_path, monkeypatch):
    rows = ["c0,c1,c2,c3,c4", *ROWS[:3]]
    path = write(tmp_path, rows, prefix=b"\xef\xbb\xbf")
    with path.open("ab") as handle:
        handle.write(b"1,\xff\xfe,bad utf8,1,1\n1,nul\x00,x,1,1\n" + b"1,x,y,1,1\n" * 5)
    assert_same_reads(path, schema(header=True), monkeypatch, 200)


def test_plain_blocks_take_the_fast_path(tmp_path, monkeypatch):
    calls = []
    original = arrow_csv.parse

    def counting(*args):
        result = original(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(arrow_csv, "parse", counting)
    path = write(tmp_path, [ROWS[0], ROWS[2], ROWS[3], ROWS[4], ROWS[16]] * 20)
    list(iter_chunks([path], schema(), chunk_bytes=1 << 20))
    assert calls == [True]
    calls.clear()
    path = write(tmp_path, [ROWS[0], ROWS[9]], name="nan.csv")  # "nan": pyarrow reads it, pandas does not: declined
    list(iter_chunks([path], schema(), chunk_bytes=1 << 20))
    assert calls == [False]


FIELD = st.one_of(
    st.text(alphabet=st.sampled_from([*'ab ,"\r\n.-+0123456789eE\t', "ü", "\x01"]), max_size=6),
    st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e500", "1e-500", "0x1", "+.5", " 1", "1.", "-0", "9" * 30]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(FIELD, min_size=4, max_size=6), min_size=1, max_size=30), st.integers(0, 2**32 - 1))
def test_random_records_read_the_same_both_ways(tmp_path, monkeypatch, rows, seed):
    quoting = random.Random(seed)
    lines = []
    for fields in rows:
        lines.append(",".join(f'"{f.replace(chr(34), chr(34) * 2)}"' if quoting.random() < 0.3 else f
                              for f in fields))
    path = write(tmp_path, lines, name=f"random{seed}.csv")
    try:
        assert_same_reads(path, schema(types=[*TYPES[:4], "NUMERIC"]), monkeypatch, quoting.choice([64, 1 << 20]))
    except Exception as err:  # a DataError (no records at all) must be the same both ways
        from aml_cli.ml.reader import DataError

        if not isinstance(err, DataError):
            raise
        for fast in (True, False):
            with pytest.raises(DataError, match=str(err)[:30].replace("(", r"\(")):
                read(path, schema(types=[*TYPES[:4], "NUMERIC"]), monkeypatch, fast=fast, keep_invalid=False,
                     chunk_bytes=64)
