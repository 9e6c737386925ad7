"""Byte-range partitions read exactly the single reader's records, whatever the cut points."""

import gzip
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aml_cli.ml.partitions import CARRIED, FRESH, iter_partitioned_chunks, place, plan, read_partition, scan
from aml_cli.ml.reader import DataError, ReadReport, iter_chunks
from aml_cli.ml.records import MAX_RECORD_BYTES
from aml_cli.ml.schema import parse_schema
from aml_cli.ml.split import parse_rearrangement

TYPES = {"id": "NUMERIC", "message": "TEXT", "channel": "CATEGORICAL", "spam": "BINARY"}
PIECES = ["call me", "ok", "see you, soon", 'he said "now"', "win cash\nnow", "line\r\nbreak", "a\n\nb", "", "x",
          '"', 'q"', ',"', "\n"]


def schema_of(header=True):
    attributes = [{"attributeName": name, "attributeType": kind} for name, kind in TYPES.items()]
    return parse_schema(json.dumps({"dataFileContainsHeader": header, "attributes": attributes}))


def messy_csv(rows: int, seed: int, header=True, blank_share=0.1, quoted_share=0.8, crlf=False, bom=False,
              terminated=True) -> bytes:
    """Records whose quoted messages hold line breaks, commas and quotes, stray quotes, blank lines, bad values."""
    rng = np.random.default_rng(seed)
    lines = ["id,message,channel,spam"] if header else []
    for i in range(rows):
        message = " ".join(rng.choice(PIECES, rng.integers(1, 4)))
        if rng.random() < quoted_share:
            message = '"' + message.replace('"', '""') + '"'
        ident = str(i) if rng.random() > 0.05 else "seven"
        lines.append(f"{ident},{message},{rng.choice(['sms', 'web chat'])},{rng.choice(['yes', 'no', 'maybe'])}")
        if rng.random() < blank_share:
            lines.append("")
    text = ("\r\n" if crlf else "\n").join(lines) + ("\n" if terminated else "")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def assert_same_chunk(expected, found):
    pd.testing.assert_frame_equal(expected.frame, found.frame)
    for name in ("line_numbers", "valid", "positions"):
        np.testing.assert_array_equal(getattr(expected, name), getattr(found, name))
    assert (expected.file_index, expected.nbytes, expected.invalid_counts, expected.dropped) == (
        found.file_index, found.nbytes, found.invalid_counts, found.dropped)


def assert_same_read(files, schema, partition_bytes, chunk_bytes=8 << 20, **options):
    """The partitions' chunks are the single reader's, one for one, and so is the report."""
    single_report, parted_report = ReadReport(), ReadReport()
    single = list(iter_chunks(files, schema, report=single_report, chunk_bytes=chunk_bytes, **options))
    parted = list(iter_partitioned_chunks(files, schema, partition_bytes=partition_bytes, report=parted_report,
                                          chunk_bytes=chunk_bytes, **options))
    assert len(parted) == len(single)
    for expected, found in zip(single, parted, strict=True):
        assert_same_chunk(expected, found)
    assert parted_report == single_report
    return single


@pytest.fixture
def write(tmp_path):
    def write(name, data: bytes, compress=False):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(data) if compress else data)
        return path

    return write


CUTS = [(16, 1), (23, 3), (64, 2), (333, 1), (1000, 4), (4096, 1), (8 << 20, 1)]


@pytest.mark.parametrize(("chunk_bytes", "pieces"), CUTS)
def test_every_cut_of_a_file_with_multi_line_records_gives_the_single_readers_chunks(write, chunk_bytes, pieces):
    path = write("messages.csv", messy_csv(400 if chunk_bytes > 300 else 80, seed=1))
    assert_same_read([path], schema_of(), chunk_bytes * pieces, chunk_bytes, keep_invalid=True)
    assert_same_read([path], schema_of(), chunk_bytes * pieces, chunk_bytes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), rows=st.integers(0, 80), chunk_bytes=st.integers(24, 3000),
       pieces=st.integers(1, 4), header=st.booleans(), crlf=st.booleans(), bom=st.booleans(),
       terminated=st.booleans(), quoted=st.sampled_from([0.0, 0.5, 1.0]), blanks=st.sampled_from([0.0, 0.3]))
def test_random_files_and_cuts_give_the_single_readers_chunks(write, seed, rows, chunk_bytes, pieces, header, crlf,
                                                                bom, terminated, quoted, blanks):
    data = messy_csv(rows, seed, header=header, blank_share=blanks, quoted_share=quoted, crlf=crlf, bom=bom,
                     terminated=terminated)
    path = write(f"random-{seed}.csv", data)
    schema = schema_of(header)
    try:
        list(iter_chunks([path], schema, chunk_bytes=chunk_bytes))
    except DataError as err:
        with pytest.raises(DataError) as parted:
            list(iter_partitioned_chunks([path], schema, partition_bytes=chunk_bytes * pieces,
                                         chunk_bytes=chunk_bytes))
        assert str(parted.value) == str(err)
        return
    assert_same_read([path], schema, chunk_bytes * pieces, chunk_bytes, keep_invalid=True)


@pytest.mark.parametrize(("chunk_bytes", "pieces"), [(45, 1), (60, 2), (700, 1), (8 << 20, 1)])
def test_a_folder_with_gzip_empty_and_header_only_files_reads_as_one_location(write, tmp_path, chunk_bytes, pieces):
    write("data/a.csv", messy_csv(150, seed=2, bom=True))
    write("data/b.csv.gz", messy_csv(90, seed=3), compress=True)
    write("data/c.csv", b"")
    write("data/d.csv", b"id,message,channel,spam\n")
    write("data/e/f.csv", messy_csv(60, seed=4, terminated=False, crlf=True))
    files = sorted((tmp_path / "data").rglob("*.csv*"))
    assert_same_read(files, schema_of(), chunk_bytes * pieces, chunk_bytes, keep_invalid=True)


@pytest.mark.parametrize("text", [
    '{"splitting": {"percentBegin": 10, "percentEnd": 65}}',
    '{"splitting": {"percentBegin": 10, "percentEnd": 65, "complement": true}}',
    '{"splitting": {"percentBegin": 0, "percentEnd": 30, "strategy": "random", "randomSeed": "s"}}',
])
@pytest.mark.parametrize(("chunk_bytes", "pieces"), [(41, 1), (200, 2), (8 << 20, 1)])
def test_a_data_rearrangement_selects_the_same_records_by_their_global_position(write, tmp_path, text, chunk_bytes,
                                                                              pieces):
    write("data/a.csv", messy_csv(200, seed=5))
    write("data/b.csv.gz", messy_csv(80, seed=6), compress=True)
    files = sorted((tmp_path / "data").iterdir())
    assert_same_read(files, schema_of(), chunk_bytes * pieces, chunk_bytes, selection=parse_rearrangement(text))


def test_a_record_open_across_a_cut_is_read_by_the_partition_that_continues_it(write):
    data = b'id,message,channel,spam\n1,"one\ntwo\nthree",sms,yes\n2,"x",web,no\n'
    path = write("m.csv", data)
    cut = data.index(b"two")  # the single reader's first piece ends inside record 1: it carries it over
    parts = plan([path], cut, cut)
    scans = [scan(part, schema_of()) for part in parts]
    assert scans[0].exits[FRESH] == CARRIED and scans[0].records[FRESH] == 0
    tasks = place(parts, scans)
    assert tasks[1].state == CARRIED and tasks[1].first_line == 2 and tasks[1].records == 1
    chunks = [chunk for task in tasks for chunk in read_partition(task, schema_of())]
    assert np.concatenate([chunk.line_numbers for chunk in chunks]).tolist() == [2, 5]
    assert pd.concat([chunk.frame for chunk in chunks])["message"].tolist() == ["one\ntwo\nthree", "x"]
    assert_same_read([path], schema_of(), cut, cut)


def test_a_line_longer_than_the_record_limit_is_invalid_in_both_reads(write):
    long = "y" * (MAX_RECORD_BYTES + 50)
    data = f'id,message,channel,spam\n1,"open\n2,{long},sms,yes\n3,"a\nb",web,no\n4,ok,sms,no\n'.encode()
    path = write("long.csv", data)
    for chunk_bytes, pieces in ((4096, 1), (4096, 7), (MAX_RECORD_BYTES // 2, 1), (1 << 20, 1)):
        assert_same_read([path], schema_of(), chunk_bytes * pieces, chunk_bytes, keep_invalid=True)


def test_an_unreadable_gzip_file_fails_with_the_single_readers_words(write, tmp_path):
    write("data/a.csv", messy_csv(30, seed=8))
    write("data/b.csv.gz", gzip.compress(messy_csv(50, seed=7))[:-30])
    write("data/c.gz", b"plain text")
    for files in ([tmp_path / "data/b.csv.gz"], [tmp_path / "data/a.csv", tmp_path / "data/c.gz"]):
        with pytest.raises(DataError) as single:
            list(iter_chunks(files, schema_of()))
        with pytest.raises(DataError) as parted:
            list(iter_partitioned_chunks(files, schema_of(), partition_bytes=100, chunk_bytes=100))
        assert str(parted.value) == str(single.value)


def test_a_header_of_the_wrong_width_fails_in_both_reads(write):
    path = write("h.csv", b"id,message\n1,a,sms,yes\n")
    with pytest.raises(DataError) as single:
        list(iter_chunks([path], schema_of()))
    with pytest.raises(DataError) as parted:
        list(iter_partitioned_chunks([path], schema_of(), partition_bytes=4, chunk_bytes=4))
    assert str(parted.value) == str(single.value)
