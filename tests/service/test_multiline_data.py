"""CSV as people's files have it, end to end: records spanning lines, and headers that disagree with the schema."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aml_cli.service import call
from aml_cli.service.machinelearning.data_sources import statistics_of
from tests.service.models_conftest import (
    create_model,
    create_source,
    read_result,
    record_of,
    result_rows,
    schema_text,
    write_csv,
)

COLUMNS = {"row_id": "CATEGORICAL", "message": "TEXT", "length": "NUMERIC", "spam": "BINARY"}
RECORDS = 600


def messages(count: int = RECORDS, seed: int = 2) -> pd.DataFrame:
    """Short messages, as an export written by pandas holds them: many with line breaks (LF and CRLF) inside."""
    rng = np.random.default_rng(seed)
    spam = rng.random(count) < 0.4
    spam_words = np.array(["win cash\nnow", "free prize,\r\nclaim", "call now\n\n!!", "urgent: \"reply\""])
    ham_words = np.array(["see you\nsoon", "ok", "lunch at 1?\nx", "thanks, \"mum\""])
    text = np.where(spam, rng.choice(spam_words, count), rng.choice(ham_words, count))
    return pd.DataFrame({"row_id": [f"m{i:04d}" for i in range(count)], "message": text,
                         "length": rng.integers(1, 200, count), "spam": np.where(spam, "yes", "no")})


@pytest.fixture
def trained(store, tmp_path):
    """A data source over the messages, a BINARY model, its evaluation and batch prediction on the same file."""
    frame = messages()
    data = write_csv(tmp_path / "messages.csv", frame)
    schema = schema_text(COLUMNS, "spam")
    create_source(store, "msgs", data, schema)
    create_model(store, "msgs-model", "msgs", "BINARY")
    call("CreateEvaluation", {"EvaluationId": "msgs-eval", "MLModelId": "msgs-model",
                              "EvaluationDataSourceId": "msgs"}, store)
    out = tmp_path / "out"
    call("CreateBatchPrediction", {"BatchPredictionId": "msgs-bp", "MLModelId": "msgs-model",
                                   "BatchPredictionDataSourceId": "msgs", "OutputUri": str(out)}, store)
    return frame, data, out


def test_a_pandas_export_with_line_breaks_in_fields_completes_with_every_record(store, trained):
    frame, data, _ = trained
    assert data.read_text().count("\n") > RECORDS + 100  # many records span lines
    source = record_of(store, "DataSource", "msgs")
    assert source["Status"] == "COMPLETED", source.get("Message")
    assert (source["_rows"], source["_invalid_rows"]) == (RECORDS, 0)
    statistics = statistics_of(store, source)
    assert statistics["rows"] == RECORDS
    spam = next(a for a in statistics["attributes"] if a["name"] == "spam")
    assert spam["true"] == int((frame["spam"] == "yes").sum())
    tokens = {token for token, _ in next(a for a in statistics["attributes"] if a["name"] == "message")["top"]}
    assert {"win", "cash", "now"} <= tokens


def test_a_model_trains_and_evaluates_on_records_that_span_lines(store, trained):
    assert record_of(store, "MLModel", "msgs-model")["Status"] == "COMPLETED"
    evaluation = record_of(store, "Evaluation", "msgs-eval")
    assert evaluation["Status"] == "COMPLETED", evaluation.get("Message")
    assert float(evaluation["PerformanceMetrics"]["Properties"]["BinaryAUC"]) > 0.99
    with np.load(evaluation["_details_path"]) as details:
        assert len(details["y"]) == RECORDS


def test_batch_prediction_writes_one_line_per_record_in_input_order(store, trained):
    frame, _, out = trained
    batch = record_of(store, "BatchPrediction", "msgs-bp")
    assert batch["Status"] == "COMPLETED", batch.get("Message")
    assert batch["TotalRecordCount"] == RECORDS
    result = out / "batch-prediction" / "result" / "msgs-bp-messages.csv.gz"
    lines = read_result(result)
    assert len(lines) == RECORDS + 1
    header, rows = result_rows(result)
    assert header == ["tag", "bestAnswer", "score"]
    assert [row[0] for row in rows] == frame["row_id"].tolist()
    assert [row[1] for row in rows] == np.where(frame["spam"] == "yes", "1", "0").tolist()


def test_broken_records_among_multi_line_ones_are_named_by_the_physical_line_they_start_on(store, tmp_path):
    text = ('row_id,message,length,spam\nb1,"two\nlines",3,no\nb2,"never closed,4,yes\n'
            'b3,"also\r\ntwo",5,yes\nb4,"tail')
    data = tmp_path / "batch.csv"
    data.write_text(text, newline="")
    create_source(store, "batch", data, schema_text(COLUMNS, None), stats=False)
    source = record_of(store, "DataSource", "batch")
    assert source["Status"] == "FAILED"  # 2 of 4 invalid is over 10%
    assert source["Message"] == ("Too many invalid records: 2 of 4 records are invalid (first: batch.csv line 4: "
                                 "the record has an unbalanced double quote; batch.csv line 7: the record has an "
                                 "unbalanced double quote).")


def test_an_unterminated_quote_in_a_batch_leaves_a_blank_line_and_the_rest_in_order(store, tmp_path):
    create_source(store, "ok", write_csv(tmp_path / "train.csv", messages()), schema_text(COLUMNS, "spam"))
    create_model(store, "model", "ok", "BINARY")
    batch_frame = messages(200, seed=9)
    data = write_csv(tmp_path / "batch.csv", batch_frame)
    with data.open("a", newline="") as handle:
        handle.write('m9999,"cut off\nby the end of the file,7,no\n')
    create_source(store, "batch", data, schema_text(COLUMNS, None), stats=False)
    assert record_of(store, "DataSource", "batch")["Status"] == "COMPLETED"
    call("CreateBatchPrediction", {"BatchPredictionId": "bp", "MLModelId": "model",
                                   "BatchPredictionDataSourceId": "batch", "OutputUri": str(tmp_path / "o")}, store)
    batch = record_of(store, "BatchPrediction", "bp")
    assert (batch["TotalRecordCount"], batch["InvalidRecordCount"]) == (202, 2)
    _, rows = result_rows(tmp_path / "o" / "batch-prediction" / "result" / "bp-batch.csv.gz")
    assert [row[0] for row in rows[:200]] == batch_frame["row_id"].tolist()
    assert rows[200:] == [[], []]  # the opening line, then its second line read as a record of its own


# -- the header line against the schema


def _header_source(store, tmp_path: Path, header: str, columns: dict[str, str], source_id: str = "h") -> dict:
    data = tmp_path / f"{source_id}.csv"
    rows = "".join(f"r{i},{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(50))
    data.write_text(header + "\n" + rows)
    create_source(store, source_id, data, schema_text(columns, None))
    return call("GetDataSource", {"DataSourceId": source_id}, store)


def test_a_schema_with_one_attribute_too_few_fails_naming_the_extra_header_field(store, tmp_path):
    view = _header_source(store, tmp_path, "row_id,x,extra_col,flag",
                          {"row_id": "CATEGORICAL", "x": "NUMERIC", "flag": "BINARY"})
    assert view["Status"] == "FAILED"
    assert view["Message"] == ("The data of h cannot be used: the schema has 3 attributes but the header line of "
                               "h.csv has 4 fields: the header's `extra_col` has no attribute")


def test_a_schema_with_one_attribute_too_many_fails_naming_the_missing_attribute(store, tmp_path):
    view = _header_source(store, tmp_path, "row_id,x,y,flag",
                          {"row_id": "CATEGORICAL", "x": "NUMERIC", "y": "NUMERIC", "z": "NUMERIC",
                           "flag": "BINARY"})
    assert view["Status"] == "FAILED"
    assert view["Message"].endswith("the schema has 5 attributes but the header line of h.csv has 4 fields: "
                                    "the schema's `z` is not in the header")


def test_header_names_in_another_order_are_a_warning_in_the_log_and_the_statistics(store, tmp_path):
    view = _header_source(store, tmp_path, "row_id,y,x,flag",
                          {"row_id": "CATEGORICAL", "x": "NUMERIC", "y": "NUMERIC", "flag": "BINARY"})
    assert view["Status"] == "COMPLETED", view.get("Message")
    warning = ("the header line of h.csv has the schema's attribute names in another order (values are matched "
               "by position, as the service did): field 2 is `y` in the header and `x` in the schema; "
               "field 3 is `x` in the header and `y` in the schema")
    assert statistics_of(store, record_of(store, "DataSource", "h"))["warnings"] == [warning]
    assert f"Warning: {warning}" in Path(view["LogUri"][len("file://"):]).read_text()
    x = next(a for a in statistics_of(store, record_of(store, "DataSource", "h"))["attributes"] if a["name"] == "x")
    assert x["max"] == 49.0  # matched by position: the second column's values


def test_a_matching_header_gives_no_warning(store, tmp_path):
    _header_source(store, tmp_path, "row_id,x,y,flag",
                   {"row_id": "CATEGORICAL", "x": "NUMERIC", "y": "NUMERIC", "flag": "BINARY"})
    assert statistics_of(store, record_of(store, "DataSource", "h"))["warnings"] == []
    assert json.loads(json.dumps(statistics_of(store, record_of(store, "DataSource", "h"))))["rows"] == 50
