"""InferSchema: the schema it infers for real-looking CSVs creates a data source that completes and trains."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aml_cli.api.errors import InvalidInputException
from aml_cli.service import call
from tests.service.models_conftest import create_model, create_source, record_of


def infer_data_schema(request: dict) -> dict:
    return call("InferSchema", request)


def customers(count: int = 800, seed: int = 1) -> pd.DataFrame:
    """Numbers, categories, yes/no, free text with commas and quotes, codes with leading zeros, missing values."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, count).astype(float)
    age[rng.random(count) < 0.1] = np.nan
    plan = rng.choice(["basic", "plus", "family"], count)
    calls = rng.poisson(2, count)
    words = np.array(["slow", "fast", "great", "billing", "support", "cancel", "refund", "happy", "line"])
    notes = [" ".join(rng.choice(words, rng.integers(3, 9))) + (', "urgent"' if i % 7 == 0 else "")
             for i in range(count)]
    left = (calls > 2) | (plan == "basic") & (rng.random(count) < 0.3)
    return pd.DataFrame({
        "customer_id": [f"{i:05d}" for i in range(count)], "age": age, "plan": plan, "support_calls": calls,
        "zip": rng.choice(["02134", "10001", "94105", "60601"], count), "notes": notes,
        "international": rng.choice(["yes", "no"], count), "left": np.where(left, "Yes", "No")})


CUSTOMER_TYPES = {"customer_id": "CATEGORICAL", "age": "NUMERIC", "plan": "CATEGORICAL", "support_calls": "NUMERIC",
                  "zip": "CATEGORICAL", "notes": "TEXT", "international": "BINARY", "left": "BINARY"}


def types_of(document: dict) -> dict[str, str]:
    return {a["attributeName"]: a["attributeType"] for a in document["attributes"]}


def source_and_model(store, data: Path, document: dict, model_type: str, name: str = "s") -> tuple[dict, dict]:
    create_source(store, name, data, json.dumps(document))
    source = record_of(store, "DataSource", name)
    assert source["Status"] == "COMPLETED", source.get("Message")
    create_model(store, f"{name}-model", name, model_type)
    return source, record_of(store, "MLModel", f"{name}-model")


def test_a_customer_table_with_a_header_infers_its_types_and_trains_a_binary_model(store, tmp_path):
    data = tmp_path / "customers.csv"
    customers().to_csv(data, index=False)
    document = infer_data_schema({"DataLocationS3": str(data), "TargetAttributeName": "left",
                                  "RowId": "customer_id"})["DataSchema"]
    assert types_of(document) == CUSTOMER_TYPES
    assert document["dataFileContainsHeader"] is True
    source, model = source_and_model(store, data, document, "BINARY")
    assert (source["_rows"], source["_invalid_rows"]) == (800, 0)
    assert model["Status"] == "COMPLETED", model.get("Message")


def test_a_file_without_a_header_gets_var_names_and_trains_a_regression(store, tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=600).round(3)
    frame = pd.DataFrame({"x": x, "colour": rng.choice(["red", "blue", "green"], 600),
                          "flag": rng.choice(["t", "f"], 600), "y": (3 * x + rng.normal(scale=0.1, size=600)).round(3)})
    data = tmp_path / "points.csv"
    frame.to_csv(data, index=False, header=False)
    document = infer_data_schema({"DataLocationS3": str(data), "TargetAttributeName": "Var04"})["DataSchema"]
    assert document["dataFileContainsHeader"] is False
    assert types_of(document) == {"Var01": "NUMERIC", "Var02": "CATEGORICAL", "Var03": "BINARY", "Var04": "NUMERIC"}
    _, model = source_and_model(store, data, document, "REGRESSION")
    assert model["Status"] == "COMPLETED", model.get("Message")


def test_messages_with_line_breaks_in_a_gzip_folder_train_a_multiclass_model(store, tmp_path, s3_root):
    rng = np.random.default_rng(5)
    topics = {"billing": "my bill\nis wrong, again", "delivery": "where is\r\nmy parcel", "praise": "thanks a lot"}
    labels = rng.choice(list(topics), 900)
    frame = pd.DataFrame({"ticket": np.arange(900), "text": [f"{topics[t]} ({i})" for i, t in enumerate(labels)],
                          "topic": labels})
    folder = s3_root / "bucket" / "tickets"
    folder.mkdir(parents=True)
    for part in range(3):
        (folder / f"part-{part}.csv.gz").write_bytes(
            gzip.compress(frame.iloc[part * 300 : (part + 1) * 300].to_csv(index=False).encode()))
    document = infer_data_schema({"DataLocationS3": "s3://bucket/tickets/", "TargetAttributeName": "topic",
                                  "ExcludedAttributeNames": ["ticket"]})["DataSchema"]
    assert types_of(document) == {"ticket": "NUMERIC", "text": "TEXT", "topic": "CATEGORICAL"}
    assert document["excludedAttributeNames"] == ["ticket"]
    source, model = source_and_model(store, "s3://bucket/tickets/", document, "MULTICLASS")
    assert (source["_rows"], source["NumberOfFiles"]) == (900, 3)
    assert model["Status"] == "COMPLETED", model.get("Message")


def test_the_header_can_be_declared_absent_and_the_schema_still_reads_the_data(store, tmp_path):
    data = tmp_path / "customers.csv"
    customers(200).to_csv(data, index=False, header=False)
    document = infer_data_schema({"DataLocationS3": str(data), "DataFileContainsHeader": False,
                                  "TargetAttributeName": "Var08"})["DataSchema"]
    assert list(types_of(document).values()) == list(CUSTOMER_TYPES.values())  # codes keep their leading zeros
    call("CreateDataSourceFromS3", {"DataSourceId": "h", "DataSpec": {"DataLocationS3": str(data),
                                                                      "DataSchema": json.dumps(document)}}, store)
    assert record_of(store, "DataSource", "h")["_rows"] == 200


@pytest.mark.parametrize(("request_", "message"), [
    ({"DataLocationS3": "nowhere.csv"}, "DataLocationS3: no data found at .*nowhere.csv."),
    ({"TargetAttributeName": "nope"}, 'targetAttributeName "nope" is not one of the columns'),
    ({"TargetAttributeName": "age", "ExcludedAttributeNames": ["age"]}, "the target cannot be excluded"),
])
def test_what_cannot_be_inferred_is_invalid_input(tmp_path, monkeypatch, request_, message):
    monkeypatch.chdir(tmp_path)
    customers(50).to_csv(tmp_path / "c.csv", index=False)
    with pytest.raises(InvalidInputException, match=message.replace("(", r"\(")):
        infer_data_schema({"DataLocationS3": str(tmp_path / "c.csv"), **request_})


def test_a_broken_gzip_file_is_invalid_input(tmp_path):
    data = tmp_path / "d.csv.gz"
    rows = "".join(f"{value},{value * 7}\n" for value in np.random.default_rng(0).integers(0, 10**9, 10_000))
    whole = gzip.compress(("a,b\n" + rows).encode())
    data.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidInputException, match=r"Cannot infer a schema from .*d\.csv\.gz: "):
        infer_data_schema({"DataLocationS3": str(data)})
