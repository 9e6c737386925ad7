"""Writing a batch prediction's results so that a failed one never leaves complete-looking output.

The job scores into a private staging folder beside the results
(`batch-prediction/.aml-staging-<digest of the ID>/`, 0700); only when every
result file is whole does it publish: the plan (which names it will move) is
written first, then each result is renamed into `result/`, then the manifest
into place, last, and the staging folder removed. A job that fails removes its
staging folder and anything it published; one whose worker died is cleaned
the same way by the kind's cleanup hook when the reaper finds it dead (the
plan says what it had published). Every folder and file is made relative to
checked folder handles (`locations.OutputFolder`), never through a link.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from aml_cli.service.locations import OutputFolder, open_output_folder

TOP, RESULTS = "batch-prediction", "result"
LAYOUT = (TOP, f"{TOP}/{RESULTS}")  # the folders the job makes under OutputUri
PLAN = "publish.json"


def staging_name(resource_id: str) -> str:
    """The staging folder of one batch prediction: from its ID, so the cleanup finds it, but never the ID."""
    return ".aml-staging-" + hashlib.sha256(resource_id.encode()).hexdigest()[:24]


def result_names(resource_id: str, input_names: list[str]) -> list[str]:
    return [f"{resource_id}-{name.removesuffix('.gz')}.gz" for name in input_names]


class Staging:
    """The job's open output folders and its staging folder; leaving it by an exception cleans everything."""

    def __init__(self, store, record: dict, input_names: list[str]) -> None:
        self.store, self.record = store, record
        self.resource_id = record["BatchPredictionId"]
        self.names = result_names(self.resource_id, input_names)
        self.published_in: Path | None = None
        self.output = self.top = self.results = self.stage = None

    def __enter__(self) -> Staging:
        from aml_cli.api.errors import InvalidInputException
        from aml_cli.jobs import JobFailed

        try:
            self.output = open_output_folder(self.record["OutputUri"], "OutputUri", self.store)
            self.top = self.output.folder(TOP)
            self.results = self.top.folder(RESULTS)
            self.top.remove_tree(staging_name(self.resource_id))  # a dead attempt's leftovers, if any
            self.stage = self.top.folder(staging_name(self.resource_id))
        except InvalidInputException as exc:
            self.close()
            raise JobFailed(exc.message) from exc
        except OSError as exc:
            self.close()
            raise _write_failure(exc) from exc
        return self

    def __exit__(self, kind, exc, tb) -> None:
        import contextlib

        try:
            if exc is not None:
                with contextlib.suppress(OSError, ValueError):  # the job's own error is the one to report
                    _remove_output(self.top, self.results, self.resource_id)
        finally:
            self.close()
        if isinstance(exc, OSError):
            raise _write_failure(exc) from exc

    def close(self) -> None:
        for folder in (self.stage, self.results, self.top, self.output):
            if folder is not None:
                folder.close()

    def publish(self, data_location: str, files: list[Path]) -> None:
        """The plan, each result into result/, the manifest last, then the staging folder goes."""
        manifest = {_uri_like(self.store, data_location, path): _uri_like(
            self.store, self.record["OutputUri"], self.results.path / name)
            for path, name in zip(files, self.names, strict=True)}
        manifest_name = f"{self.resource_id}.manifest"
        _write_whole(self.stage, manifest_name, json.dumps(manifest).encode())
        _write_whole(self.stage, PLAN, json.dumps({"results": self.names, "manifest": manifest_name}).encode())
        self.stage.sync()
        for name in self.names:
            self.stage.rename(name, self.results, name)
        self.results.sync()
        self.stage.rename(manifest_name, self.top, manifest_name)
        self.top.sync()
        self.top.remove_tree(staging_name(self.resource_id))
        self.published_in = self.top.path


def _write_whole(folder: OutputFolder, name: str, data: bytes) -> None:
    import os

    with folder.create(name) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


GZIP_LEVEL = 1  # zlib's fastest: a fifth of level 9's time for a file a fifth larger (benchmarks/README.md)


class ResultWriter:
    """One gzip CSV per input file in the staging folder; an input file with no record still gets its
    (header-only) result.

    `encode` (any thread) turns a chunk into its lines, deflated as a piece of
    its own (`deflate_piece`); `write` (one thread, in order) appends pieces
    to the file's single gzip member. The bytes depend on the chunks only,
    never on the number of threads.
    """

    def __init__(self, staging: Staging, model, schema, threshold: float) -> None:
        self.staging, self.model, self.schema, self.threshold = staging, model, schema, threshold
        self.index = -1
        self._raw = self._out = None

    def encode(self, chunk) -> tuple[bytes, bytes]:
        """(the chunk's lines, their deflated piece)."""
        from aml_cli.ml.batch_output import lines_bytes

        lines = lines_bytes(self.model, self.schema, chunk, self.threshold)
        return lines, deflate_piece(lines)

    def write(self, chunk, encoded: tuple[bytes, bytes] | None = None) -> None:
        while self.index < chunk.file_index:
            self._next()
        self._out.append(*(encoded or self.encode(chunk)))

    def finish(self) -> None:
        while self.index < len(self.staging.names) - 1:
            self._next()
        self._close()

    def _next(self) -> None:
        from aml_cli.ml.batch_output import header

        self._close()
        self.index += 1
        self._raw = self.staging.stage.create(self.staging.names[self.index])
        self._out = GzipPieces(self._raw)
        text = (header(self.model, self.schema) + "\n").encode()
        self._out.append(text, deflate_piece(text))

    def _close(self) -> None:
        import os

        if self._raw is None:
            return
        raw, out = self._raw, self._out
        self._raw = self._out = None
        with raw:
            out.close()
            raw.flush()
            os.fsync(raw.fileno())


def deflate_piece(data: bytes, level: int = GZIP_LEVEL) -> bytes:
    """Raw deflate of `data` ending on a byte boundary (a sync flush) and referring to nothing before it,
    so pieces made apart, on any thread, concatenate into one valid deflate stream."""
    import zlib

    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


class GzipPieces:
    """One gzip member written as deflated pieces: the header gzip writes (no name, mtime 0), the pieces, an
    empty final block, then the CRC-32 and length of all the data."""

    def __init__(self, raw, level: int = GZIP_LEVEL) -> None:
        self.raw, self.crc, self.size = raw, 0, 0
        extra = b"\x02" if level == 9 else b"\x04" if level == 1 else b"\x00"
        raw.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + extra + b"\xff")

    def append(self, data: bytes, piece: bytes) -> None:
        import zlib

        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.raw.write(piece)

    def close(self) -> None:
        import zlib

        final = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS).flush(zlib.Z_FINISH)
        self.raw.write(final + self.crc.to_bytes(4, "little") + (self.size & 0xFFFFFFFF).to_bytes(4, "little"))


def clean(store, record: dict) -> None:
    """Removes what a batch prediction that did not finish left: its staging folder and whatever it had
    published (from its plan, or from its manifest when it died after publishing). Never raises."""
    import contextlib

    from aml_cli.api.errors import InvalidInputException

    with contextlib.suppress(InvalidInputException, OSError, ValueError):
        output = open_output_folder(record["OutputUri"], "OutputUri", store, create=False)
        if output is None:
            return
        with output:
            top = output.folder(TOP, create=False)
            if top is None:
                return
            with top:
                results = top.folder(RESULTS, create=False)
                try:
                    _remove_output(top, results, record["BatchPredictionId"])
                finally:
                    if results is not None:
                        results.close()


def _remove_output(top: OutputFolder | None, results: OutputFolder | None, resource_id: str) -> None:
    """The staging folder, the published results its plan names, and the manifest; each only if there."""
    if top is None:
        return
    name = staging_name(resource_id)
    stage = top.folder(name, create=False)
    names: list[str] = []
    manifest = f"{resource_id}.manifest"
    if stage is not None:
        with stage:
            plan = stage.read(PLAN)
            if plan:
                names = list(json.loads(plan).get("results", []))
    else:
        published = top.read(manifest)
        if published:
            names = [Path(uri).name for uri in json.loads(published).values()]
    if results is not None:
        for result in names:
            results.remove(result)
    top.remove(manifest)
    top.remove_tree(name)


def _write_failure(exc: OSError):
    from aml_cli.jobs import JobFailed
    from aml_cli.service.machinelearning.common import os_error_text

    return JobFailed(f"Could not write the batch prediction output: {os_error_text(exc)}.")


def _uri_like(store, location: str, path: Path) -> str:
    """A file named the way the user named its location: s3:// stays s3://, the rest file://."""
    if not isinstance(path, Path):  # an object read from S3 itself (AML_S3_READ=fsspec): its URL
        return str(path)
    if location.startswith("s3://"):
        import os

        try:
            return "s3://" + Path(os.path.realpath(path)).relative_to(Path(os.path.realpath(store.s3_root))).as_posix()
        except ValueError:
            pass
    return path.as_uri()
