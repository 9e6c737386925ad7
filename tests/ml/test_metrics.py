import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import f1_score, roc_auc_score

from aml_cli.ml.metrics import binary_auc, binary_report, confusion_matrix, macro_f1, per_class_f1, rmse


@pytest.mark.parametrize("seed", range(5))
def test_auc_equals_sklearn_on_random_data_with_many_ties(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(3000) < 0.3).astype(int)
    score = np.round(rng.random(3000) * 0.5 + 0.3 * y, 1)  # few distinct values: many ties
    assert abs(binary_auc(y, score) - roc_auc_score(y, score)) < 1e-9


def test_auc_equals_sklearn_on_continuous_scores():
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 5000)
    score = rng.normal(size=5000) + y
    assert abs(binary_auc(y, score) - roc_auc_score(y, score)) < 1e-9


@pytest.mark.parametrize(
    ("y", "score", "expected"),
    [
        ([0, 1], [0.1, 0.9], 1.0),
        ([0, 1], [0.9, 0.1], 0.0),
        ([0, 1, 0, 1], [0.5] * 4, 0.5),
        ([0, 0, 1], [0.2, 0.6, 0.6], 0.75),
    ],
)
def test_auc_known_values(y, score, expected):
    assert binary_auc(np.array(y), np.array(score)) == pytest.approx(expected)


def test_auc_is_nan_when_a_class_is_absent():
    assert np.isnan(binary_auc(np.ones(4), np.arange(4.0)))


def test_macro_f1_equals_sklearn_and_counts_classes_never_predicted():
    rng = np.random.default_rng(2)
    labels = ["a", "b", "c", "d"]
    y_true = rng.choice(labels, 500)
    y_pred = rng.choice(labels[:3], 500)  # "d" never predicted: its F1 is 0
    expected = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    assert macro_f1(y_true, y_pred, labels) == pytest.approx(expected, abs=1e-12)


def test_confusion_matrix_matches_sklearn_and_per_class_f1_is_zero_for_an_unseen_class():
    y_true = ["x", "y", "y", "z", "x"]
    y_pred = ["x", "y", "x", "z", "z"]
    ours = confusion_matrix(y_true, y_pred, ["x", "y", "z", "w"])
    assert np.array_equal(ours, sk_confusion(y_true, y_pred, labels=["x", "y", "z", "w"]))
    assert per_class_f1(ours)[3] == 0.0


def test_rmse_known_value():
    assert rmse(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])) == pytest.approx(np.sqrt(4 / 3))


def test_binary_report_counts_scores_at_the_threshold_as_positive():
    report = binary_report(np.array([1, 0, 1, 0, 1]), np.array([0.5, 0.5, 0.2, 0.1, 0.9]), threshold=0.5)
    assert (report["true_positives"], report["false_positives"]) == (2, 1)
    assert (report["true_negatives"], report["false_negatives"]) == (1, 1)
    assert report["precision"] == pytest.approx(2 / 3)
    assert report["recall"] == pytest.approx(2 / 3)
    assert report["f1"] == pytest.approx(2 / 3)
    assert report["false_positive_rate"] == pytest.approx(0.5)
    assert report["accuracy"] == pytest.approx(0.6)
