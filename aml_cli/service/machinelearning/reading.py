"""Reading a data source's selected records again, as its own job, training, evaluation and batch prediction do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

# Blocks of this many bytes are parsed at a time, threads + 1 of them in flight: as fast as 8 MB blocks on the
# generated 1M-row file and a third less peak RSS at two threads (555 -> 369 MB); on a million distinct
# categories 702 -> 464 MB (tests/reliability/test_broken_data.py).
CHUNK_BYTES = 4 << 20


def input_files_of(store, source: dict) -> list[Path]:
    """The data source's files now; gone or unreadable ones fail the job that needs them."""
    from aml_cli.api.errors import InvalidInputException
    from aml_cli.jobs import JobFailed
    from aml_cli.service.locations import input_files

    try:
        return input_files(source["DataLocationS3"], "DataLocationS3", store.s3_root, s3_fsspec=store.s3_fsspec)
    except InvalidInputException as exc:
        raise JobFailed(exc.message) from exc


def chunks_of(store, source: dict, schema, *, keep_invalid: bool = False, report=None, files=None) -> Iterator:
    """Typed chunks of the data source's records (its DataRearrangement applied), in file order."""
    for chunk, _ in mapped_chunks_of(store, source, schema, None, keep_invalid=keep_invalid, report=report,
                                     files=files):
        yield chunk


def mapped_chunks_of(store, source: dict, schema, work, *, keep_invalid: bool = False, report=None, files=None,
                     threads: int = 1) -> Iterator:
    """(chunk, work(chunk)) in file order, blocks parsed and `work` run on `threads` threads (`map_chunks`)."""
    from aml_cli.jobs import JobFailed
    from aml_cli.ml.reader import DataError, map_chunks
    from aml_cli.ml.split import parse_rearrangement

    files = files if files is not None else input_files_of(store, source)
    selection = parse_rearrangement(source.get("DataRearrangement"))
    try:
        yield from map_chunks(work, files, schema, chunk_bytes=CHUNK_BYTES, selection=selection,
                              keep_invalid=keep_invalid, report=report, threads=threads)
    except DataError as exc:
        raise JobFailed(f"The data of {source['DataSourceId']} cannot be used: {exc}") from exc


def frames_of(store, source: dict, schema) -> Iterator:
    """Only the valid records' frames, for training."""
    for chunk in chunks_of(store, source, schema):
        yield chunk.frame
