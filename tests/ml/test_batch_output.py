"""Batch prediction lines as the service wrote them: Java-style scores, tags, empty lines for invalid records."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from aml_cli.ml.batch_output import header, java_scientific, lines_for


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.7899012, "7.899012E-1"),
        (-6.188034, "-6.188034E0"),
        (0.0, "0.0E0"),
        (1.0, "1.0E0"),
        (0.5, "5.0E-1"),
        (123456.7, "1.234567E5"),
        (1e-10, "1.0E-10"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
    ],
)
def test_scores_print_in_javas_scientific_notation(value, text):
    assert java_scientific(np.array([value]))[0] == text


class FakeModel:
    def __init__(self, model_type, labels=()):
        self.model_type, self.labels = model_type, list(labels)

    def predict_frame(self, frame):
        x = frame["x"].to_numpy(dtype=float)
        if self.model_type == "MULTICLASS":
            return np.column_stack([x, 1 - x])
        return x


def chunk(values, valid, tags=None):
    frame = pd.DataFrame({"x": values})
    if tags is not None:
        frame["id"] = tags
    return SimpleNamespace(frame=frame, valid=np.array(valid))


def test_binary_lines_use_the_threshold_and_leave_invalid_records_empty():
    schema = SimpleNamespace(row_id=None)
    model = FakeModel("BINARY")
    assert header(model, schema) == "bestAnswer,score"
    text = lines_for(model, schema, chunk([0.9, 0.2, 0.6], [True, False, True]), threshold=0.7)
    assert text == "1,9.0E-1\n\n0,6.0E-1\n"


def test_multiclass_has_a_column_per_class_and_the_tag_first():
    schema = SimpleNamespace(row_id="id")
    model = FakeModel("MULTICLASS", ["a", "b,c"])
    assert header(model, schema) == 'tag,a,"b,c"'
    text = lines_for(model, schema, chunk([0.25, 1.0], [True, True], tags=[7.0, 8.0]), threshold=0.5)
    assert text == "7,2.5E-1,7.5E-1\n8,1.0E0,0.0E0\n"


def test_regression_prints_one_score():
    schema = SimpleNamespace(row_id=None)
    model = FakeModel("REGRESSION")
    assert header(model, schema) == "score"
    assert lines_for(model, schema, chunk([12.5], [True]), threshold=0.5) == "1.25E1\n"
