import numpy as np
import pytest

from aml_cli.ml.losses import (
    LOSSES,
    logistic_gradient,
    logistic_loss,
    sigmoid,
    softmax,
    softmax_gradient,
    softmax_loss,
    squared_gradient,
    squared_loss,
)

RNG = np.random.default_rng(7)


def central_difference(loss, y, margins, eps=1e-6):
    grad = np.zeros_like(margins)
    for idx in np.ndindex(*margins.shape):
        up, down = margins.copy(), margins.copy()
        up[idx] += eps
        down[idx] -= eps
        grad[idx] = (loss(y, up)[idx[0]] - loss(y, down)[idx[0]]) / (2 * eps)
    return grad


@pytest.mark.parametrize(("y", "margin", "expected"), [(1, 0.0, -0.5), (0, 0.0, 0.5), (1, 40.0, 0.0), (0, -40.0, 0.0)])
def test_logistic_gradient_known_values(y, margin, expected):
    assert logistic_gradient(np.array([float(y)]), np.array([margin]))[0] == pytest.approx(expected, abs=1e-12)


def test_logistic_loss_is_log_two_at_zero_and_finite_at_extreme_margins():
    assert logistic_loss(np.array([1.0]), np.array([0.0]))[0] == pytest.approx(np.log(2))
    extreme = logistic_loss(np.array([1.0, 0.0]), np.array([-1e4, 1e4]))
    assert np.allclose(extreme, [1e4, 1e4])


def test_logistic_gradient_matches_central_differences():
    y = (RNG.random(20) < 0.5).astype(float)
    m = RNG.normal(scale=3, size=20)
    numeric = central_difference(lambda yy, mm: logistic_loss(yy, mm[:, 0]), y, m[:, None])[:, 0]
    assert np.allclose(logistic_gradient(y, m), numeric, atol=1e-6)


def test_softmax_gradient_matches_central_differences():
    y = RNG.integers(0, 4, size=10)
    m = RNG.normal(scale=3, size=(10, 4))
    assert np.allclose(softmax_gradient(y, m), central_difference(softmax_loss, y, m), atol=1e-6)


def test_softmax_survives_huge_margins_and_sums_to_one():
    p = softmax(np.array([[1000.0, 999.0, -1000.0]]))
    assert np.isfinite(p).all()
    assert p.sum() == pytest.approx(1.0)
    assert p[0, 0] == pytest.approx(1 / (1 + np.exp(-1)))
    assert softmax_loss(np.array([2]), np.array([[1000.0, 999.0, -1000.0]]))[0] == pytest.approx(
        2000 + np.log1p(np.exp(-1))
    )


def test_softmax_loss_of_equal_margins_is_log_k():
    assert softmax_loss(np.array([1]), np.zeros((1, 5)))[0] == pytest.approx(np.log(5))


def test_squared_gradient_matches_central_differences_and_known_value():
    y = RNG.normal(size=15)
    m = RNG.normal(size=15)
    numeric = central_difference(lambda yy, mm: squared_loss(yy, mm[:, 0]), y, m[:, None])[:, 0]
    assert np.allclose(squared_gradient(y, m), numeric, atol=1e-6)
    assert squared_loss(np.array([1.0]), np.array([3.0]))[0] == 2.0


def test_sigmoid_is_the_logistic_function():
    m = np.linspace(-30, 30, 61)
    assert np.allclose(sigmoid(m), 1 / (1 + np.exp(-m)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("model_type", ["BINARY", "REGRESSION"])
def test_single_output_losses_take_a_column_of_margins(model_type):
    loss = LOSSES[model_type]
    y = np.array([0.0, 1.0])
    margins = np.array([[0.5], [-0.5]])
    assert loss.margin_gradient(y, margins).shape == (2, 1)
    assert loss.row_loss(y, margins).shape == (2,)


@pytest.mark.parametrize("model_type", ["BINARY", "REGRESSION", "MULTICLASS"])
def test_the_loss_along_a_direction_has_the_derivatives_central_differences_give(model_type):
    """``along``: each row's loss and its first and second derivatives in t of loss(margins + t * direction)."""
    loss = LOSSES[model_type]
    k = 4 if model_type == "MULTICLASS" else 1
    y = {"BINARY": RNG.integers(0, 2, 12).astype(float), "REGRESSION": RNG.normal(size=12),
         "MULTICLASS": RNG.integers(0, k, 12)}[model_type]
    margins, direction = 3 * RNG.normal(size=(12, k)), RNG.normal(size=(12, k))
    value, slope, bend = loss.along(y, margins, direction)
    h = 1e-4
    at = [loss.row_loss(y, margins + t * direction) for t in (-h, 0.0, h)]
    assert np.allclose(value, at[1], atol=1e-12)
    assert np.allclose(slope, (at[2] - at[0]) / (2 * h), atol=1e-6)
    assert np.allclose(bend, (at[2] - 2 * at[1] + at[0]) / h**2, atol=1e-3)
