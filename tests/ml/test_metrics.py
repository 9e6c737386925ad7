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


# ---- the report's figures, against scikit-learn on small arrays -------------------------------------------

def _binary_case(seed: int = 0, n: int = 200):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.001, 0.999, n)
    return (rng.uniform(size=n) < p).astype(int), p


def test_binary_log_loss_equals_sklearns():
    from sklearn.metrics import log_loss

    from aml_cli.ml.metrics import binary_log_loss

    y, p = _binary_case()
    assert binary_log_loss(y, p) == pytest.approx(log_loss(y, p), abs=1e-12)
    assert binary_log_loss(np.array([1, 0]), np.array([0.0, 1.0])) == pytest.approx(
        log_loss([1, 0], [0.0, 1.0]), rel=1e-9)  # certainty that is wrong is clipped, not infinite


def test_multiclass_log_loss_and_accuracy_equal_sklearns():
    from sklearn.metrics import accuracy_score, log_loss

    from aml_cli.ml.metrics import accuracy, multiclass_log_loss

    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.ones(4), size=150)
    y = np.array([rng.choice(4, p=row) for row in P])
    assert multiclass_log_loss(y, P) == pytest.approx(log_loss(y, P, labels=[0, 1, 2, 3]), abs=1e-12)
    assert accuracy(y, P.argmax(axis=1)) == pytest.approx(accuracy_score(y, P.argmax(axis=1)))


def test_accuracy_and_f1_at_a_threshold_equal_sklearns():
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

    y, p = _binary_case(2)
    for threshold in (0.2, 0.5, 0.8):
        predicted = (p >= threshold).astype(int)
        report = binary_report(y, p, threshold)
        assert report["accuracy"] == pytest.approx(accuracy_score(y, predicted))
        assert report["f1"] == pytest.approx(f1_score(y, predicted))
        assert report["precision"] == pytest.approx(precision_score(y, predicted))
        assert report["recall"] == pytest.approx(recall_score(y, predicted))


def test_an_undefined_ratio_is_none_not_zero():
    report = binary_report(np.array([0, 0, 1]), np.array([0.1, 0.2, 0.3]), threshold=0.9)  # nothing predicted 1
    assert report["precision"] is None
    assert report["recall"] == 0.0 and report["f1"] == 0.0
    none_positive = binary_report(np.array([0, 0]), np.array([0.1, 0.95]), threshold=0.5)
    assert none_positive["recall"] is None and none_positive["precision"] == 0.0


def test_calibration_bins_equal_sklearns_calibration_curve():
    from sklearn.calibration import calibration_curve

    from aml_cli.ml.metrics import calibration

    y, p = _binary_case(3, 500)
    p = np.concatenate([p, [0.0, 0.1, 0.2, 1.0]])  # edges land where scikit-learn puts them
    y = np.concatenate([y, [0, 1, 0, 1]])
    table = calibration(y, p, bins=10)
    observed, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    filled = [row for row in table if row["count"]]
    assert [row["observed_rate"] for row in filled] == pytest.approx(observed.tolist())
    assert [row["mean_score"] for row in filled] == pytest.approx(predicted.tolist())
    assert sum(row["count"] for row in table) == len(p)
    assert [(row["low"], row["high"]) for row in table][:2] == [(0.0, 0.1), (0.1, 0.2)]


def test_an_empty_calibration_bin_has_no_rates():
    from aml_cli.ml.metrics import calibration

    table = calibration(np.array([0, 1]), np.array([0.05, 0.95]), bins=10)
    assert table[4] == {"low": 0.4, "high": 0.5, "count": 0, "mean_score": None, "observed_rate": None}


def test_mae_and_r2_equal_sklearns():
    from sklearn.metrics import mean_absolute_error, r2_score

    from aml_cli.ml.metrics import mae, r2

    rng = np.random.default_rng(4)
    y = rng.normal(size=80)
    prediction = y + rng.normal(scale=0.3, size=80)
    assert mae(y, prediction) == pytest.approx(mean_absolute_error(y, prediction), abs=1e-12)
    assert r2(y, prediction) == pytest.approx(r2_score(y, prediction), abs=1e-12)
    assert r2(np.ones(3), np.array([1.0, 2.0, 0.0])) is None
