import json
import struct

import numpy as np
import pytest

from aml_cli.ml.model_file import MAGIC, ModelFileError, read_model_file, write_model
from tests.ml.record_models import write_signed

HEADER = {"model_type": "BINARY", "schema": "{}", "recipe": "outputs: ALL_INPUTS", "labels": ["0", "1"]}


def weights(n=2000, k=1, seed=0):
    return np.random.default_rng(seed).normal(size=(n, k)).astype(np.float32)


def rewrite_header(path, change):
    """Edit the header and recompute a valid checksum: what a careful forger would do."""
    blob = path.read_bytes()
    (length,) = struct.unpack_from("<Q", blob, len(MAGIC))
    start = len(MAGIC) + 8
    header = json.loads(blob[start : start + length])
    change(header)
    write_signed(path, header, blob[start + length :])


def test_round_trip_keeps_header_arrays_and_weights(tmp_path):
    w = weights(300, 3)
    arrays = {
        "featurizer/bounds": np.linspace(0, 1, 11),
        "featurizer/codes": np.arange(5, dtype=np.int64),
        "featurizer/vocabulary": np.array(["a", "bé", "ccc"], dtype=object),
    }
    written = write_model(tmp_path / "m.aml", header=HEADER, weights=w, arrays=arrays)
    model = read_model_file(tmp_path / "m.aml")
    assert written.size == (tmp_path / "m.aml").stat().st_size == model.size
    assert model.header["model_type"] == "BINARY" and model.header["labels"] == ["0", "1"]
    assert model.header["format"] == "aml-model" and model.header["version"] == 1
    assert np.array_equal(model.weights, w) and model.weights.dtype == np.float32
    assert np.array_equal(model.arrays["featurizer/bounds"], arrays["featurizer/bounds"])
    assert np.array_equal(model.arrays["featurizer/codes"], arrays["featurizer/codes"])
    assert model.arrays["featurizer/vocabulary"].tolist() == ["a", "bé", "ccc"]
    assert written.pruned == 0 and written.encoding == "dense"


def test_mostly_zero_weights_are_stored_sparsely_and_read_back_exactly(tmp_path):
    w = np.zeros((10000, 2), dtype=np.float32)
    w[[3, 500, 9999], [0, 1, 1]] = [1.5, -2.0, 0.25]
    written = write_model(tmp_path / "m.aml", header=HEADER, weights=w)
    assert written.encoding == "sparse" and written.size < 2000
    assert np.array_equal(read_model_file(tmp_path / "m.aml").weights, w)


def test_writing_leaves_no_temporary_file_behind(tmp_path):
    write_model(tmp_path / "m.aml", header=HEADER, weights=weights())
    write_model(tmp_path / "m.aml", header=HEADER, weights=weights(seed=1))
    assert [p.name for p in tmp_path.iterdir()] == ["m.aml"]
    assert np.array_equal(read_model_file(tmp_path / "m.aml").weights, weights(seed=1))


@pytest.mark.parametrize("cut", [5, 30, 200, -1])
def test_truncated_files_are_refused(tmp_path, cut):
    path = tmp_path / "m.aml"
    write_model(path, header=HEADER, weights=weights())
    blob = path.read_bytes()
    path.write_bytes(blob[:cut])
    with pytest.raises(ModelFileError):
        read_model_file(path)


def test_a_flipped_payload_byte_is_refused(tmp_path):
    path = tmp_path / "m.aml"
    write_model(path, header=HEADER, weights=weights())
    blob = bytearray(path.read_bytes())
    blob[-100] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(ModelFileError, match="checksum"):
        read_model_file(path)


def test_an_edited_header_is_refused(tmp_path):
    path = tmp_path / "m.aml"
    write_model(path, header=HEADER, weights=weights())
    blob = path.read_bytes()
    path.write_bytes(blob.replace(b'"model_type":"BINARY"', b'"model_type":"REGRES"', 1))
    with pytest.raises(ModelFileError, match="checksum"):
        read_model_file(path)


def test_bad_magic_and_other_versions_are_refused(tmp_path):
    path = tmp_path / "m.aml"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ModelFileError, match="magic"):
        read_model_file(path)
    write_model(path, header=HEADER, weights=weights())
    rewrite_header(path, lambda h: h.update(version=2))
    with pytest.raises(ModelFileError, match="version 2"):
        read_model_file(path)


def test_object_dtypes_are_refused_even_with_a_valid_checksum(tmp_path):
    path = tmp_path / "m.aml"
    write_model(path, header=HEADER, weights=weights(), arrays={"featurizer/x": np.arange(4, dtype=np.int64)})

    def to_object(header):
        for entry in header["arrays"]:
            if entry["name"] == "featurizer/x":
                entry["dtype"] = "|O"

    rewrite_header(path, to_object)
    with pytest.raises(ModelFileError, match="forbidden"):
        read_model_file(path)


def test_a_directory_pointing_outside_the_payload_is_refused(tmp_path):
    path = tmp_path / "m.aml"
    write_model(path, header=HEADER, weights=weights())
    rewrite_header(path, lambda h: h["arrays"][0].update(offset=10**9))
    with pytest.raises(ModelFileError, match="inconsistent"):
        read_model_file(path)


def test_arrays_of_python_objects_cannot_be_written(tmp_path):
    with pytest.raises(ValueError, match="strings"):
        write_model(tmp_path / "m.aml", header=HEADER, weights=weights(), arrays={"x": np.array([{}, 1], dtype=object)})


def test_a_missing_file_is_a_model_file_error(tmp_path):
    with pytest.raises(ModelFileError, match="is missing"):
        read_model_file(tmp_path / "absent.aml")


@pytest.mark.parametrize("cap", [100_000, 150_000, 250_000, 399_000])
def test_the_file_never_exceeds_the_size_cap_and_keeps_the_largest_weights(tmp_path, cap):
    w = weights(100_000)  # 400 KB dense
    w[7, 0] = 1e-9  # the bias: tiny but always kept
    path = tmp_path / "m.aml"
    written = write_model(path, header=HEADER, weights=w, max_bytes=cap, keep=[7])
    assert path.stat().st_size <= cap
    assert path.stat().st_size > cap - 200  # pruned no more than needed
    assert written.pruned > 0 and written.pruned + written.stored_weights == 100_000
    stored = read_model_file(path).weights[:, 0]
    assert stored[7] == np.float32(1e-9)
    kept = np.flatnonzero(stored)
    dropped = np.setdiff1d(np.arange(100_000), kept)
    assert np.abs(w[kept[kept != 7], 0]).min() >= np.abs(w[dropped, 0]).max()
    assert np.array_equal(stored[kept], w[kept, 0])


def test_a_cap_too_small_for_the_transformations_is_an_error(tmp_path):
    big = np.zeros(50_000, dtype=np.float64)  # 400 KB of featurizer state
    with pytest.raises(ModelFileError, match="cannot fit in 100000 bytes"):
        write_model(tmp_path / "m.aml", header=HEADER, weights=weights(), arrays={"f/b": big}, max_bytes=100_000)
    assert not (tmp_path / "m.aml").exists()
