"""mygrad.nn.functional against torch.nn.functional: the cases the conformance records do not reach
(catalogued composite graphs, conventions at kinks and clamps, degenerate reductions, narrowing
dtype casts, warnings, errors) as paired scenarios (see paired.py), and dropout's random mask,
which cannot equal torch's, checked for its semantics in mygrad alone."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mygrad
import mygrad.nn.functional as MF
from paired import graph_tree, scenario_suite

scenario, test_matches_torch = scenario_suite()


def graph(out):
    """The whole backward graph under ``out`` as nested (name, children) tuples."""
    def walk(node):
        if node is None:
            return None
        return type(node).__name__, tuple((walk(n), i) for n, i in node.next_functions)
    return walk(out.grad_fn)


def leaf(t, shape, seed=0, dtype=None, low=-2.0, high=2.0, requires_grad=True):
    values = np.random.default_rng(seed).uniform(low, high, shape)
    return t.tensor(values, dtype=dtype or t.float32, requires_grad=requires_grad)


def see_backward(t, see, label, out, *inputs, seed=1):
    """The output, its graph, and each input's gradient for a random upstream gradient."""
    see(label, out)
    see(label + " graph", graph(out))
    upstream = t.tensor(np.random.default_rng(seed).standard_normal(tuple(out.shape)), dtype=out.dtype)
    grads = t.autograd.grad(out, list(inputs), upstream, allow_unused=True)
    see(label + " grads", list(grads))


# ----- composite graphs from the catalogue ---------------------------------------------------------

@scenario
def cross_entropy_graphs(t, see):
    F = t.nn.functional
    logits, other = leaf(t, (3, 4)), leaf(t, (3, 4), seed=2)
    target = t.tensor([0, 3, 1])
    weight = t.tensor([0.5, 1.0, 2.0, 1.5])
    see_backward(t, see, "class indices", F.cross_entropy(logits, target), logits)
    see_backward(t, see, "sum", F.cross_entropy(logits, target, reduction="sum"), logits)
    see_backward(t, see, "none", F.cross_entropy(logits, target, reduction="none"), logits)
    see_backward(t, see, "probabilities", F.cross_entropy(logits, F.softmax(other, 1)), logits, other)
    see_backward(t, see, "label smoothing", F.cross_entropy(logits, target, label_smoothing=0.1), logits)
    see_backward(t, see, "smoothing, weight, ignore", F.cross_entropy(
        logits, target, weight=weight, ignore_index=3, label_smoothing=0.3), logits)
    see_backward(t, see, "probabilities, smoothing, weight", F.cross_entropy(
        logits, F.softmax(other, 1), weight=weight, label_smoothing=0.2), logits, other)
    x3 = leaf(t, (2, 4, 3), seed=3)
    see_backward(t, see, "spatial", F.cross_entropy(x3, t.tensor([[0, 1, 3], [2, 2, 0]]), reduction="none"), x3)
    see_backward(t, see, "nll over log_softmax", F.nll_loss(F.log_softmax(logits, 1), target), logits)


@scenario
def all_targets_ignored(t, see):
    """Forward NaN (0 / 0), gradient 0, with and without label smoothing."""
    F = t.nn.functional
    logits = leaf(t, (3, 4))
    ignored = t.tensor([3, 3, 3])
    for smoothing in (0.0, 0.4):
        see_backward(t, see, f"smoothing {smoothing}", F.cross_entropy(logits, ignored, ignore_index=3,
                                                                         label_smoothing=smoothing), logits)
    see_backward(t, see, "nll sum", F.nll_loss(logits, ignored, ignore_index=3, reduction="sum"), logits)
    see_backward(t, see, "zero weights", F.nll_loss(logits, t.tensor([0, 1, 1]), weight=t.zeros(4)), logits)


@scenario
def linear_graphs(t, see):
    F = t.nn.functional
    W, bias = leaf(t, (5, 4), seed=1), leaf(t, (5,), seed=2)
    for shape in [(3, 4), (2, 3, 4), (4,), (2, 1, 3, 4)]:
        x = leaf(t, shape, seed=3)
        see_backward(t, see, f"{shape} with bias", F.linear(x, W, bias), x, W, bias)
        see_backward(t, see, f"{shape} without bias", F.linear(x, W), x, W)
    x = leaf(t, (4, 3, 2), seed=4)
    see_backward(t, see, "non-contiguous input", F.linear(x.transpose(0, 2), W, bias), x, W, bias)
    x = leaf(t, (2, 3, 4), seed=5)
    see_backward(t, see, "bias added after matmul", F.linear(x, W, leaf(t, (3, 5), seed=6)), x, W)
    see.call("0-d input", lambda: F.linear(t.tensor(1.0), W, bias))
    see.call("mismatched weight", lambda: F.linear(x, leaf(t, (5, 3))))


@scenario
def l1_and_weighted_losses(t, see):
    F = t.nn.functional
    a, b = leaf(t, (3, 4)), leaf(t, (3, 4), seed=2)
    w = leaf(t, (3, 4), seed=3, low=0.1, requires_grad=False)
    for reduction in ("mean", "sum", "none"):
        see_backward(t, see, f"l1 {reduction}", F.l1_loss(a, b, reduction=reduction), a, b)
        see_backward(t, see, f"weighted mse {reduction}", F.mse_loss(a, b, reduction=reduction, weight=w), a, b)
        see_backward(t, see, f"weighted l1 {reduction}", F.l1_loss(a, b, reduction=reduction, weight=w), a, b)
    see.call("weight of another size", lambda: F.mse_loss(a, b, weight=w[0]))
    see.call("broadcast target warns", lambda: F.mse_loss(a, b[0]))
    see.call("legacy size_average warns", lambda: F.mse_loss(a, b, size_average=False))


# ----- conventions at kinks and clamps -------------------------------------------------------------

@scenario
def kinks(t, see):
    F = t.nn.functional
    x = t.tensor([-1.0, -0.0, 0.0, 1.0], requires_grad=True)
    for label, fn in [("relu", F.relu), ("leaky_relu", F.leaky_relu),
                      ("leaky_relu 0.2", lambda v: F.leaky_relu(v, 0.2)),
                      ("elu", F.elu), ("elu alpha 0.5", lambda v: F.elu(v, alpha=0.5)),
                      ("gelu tanh", lambda v: F.gelu(v, approximate="tanh")), ("softplus", F.softplus)]:
        see_backward(t, see, label, fn(x), x)
        first, = t.autograd.grad(fn(x).sum(), x, create_graph=True)
        see(label + " second order", t.autograd.grad(first.sum(), x, allow_unused=True, materialize_grads=True))


@scenario
def binary_cross_entropy_clamps(t, see):
    """log clamped at -100, and the gradient's denominator at float(1e-12f)."""
    F = t.nn.functional
    for dtype in (t.float32, t.float64):
        p = t.tensor([0.0, 1.0, 0.5, 1e-30], dtype=dtype, requires_grad=True)
        y = t.tensor([1.0, 0.0, 0.5, 1.0], dtype=dtype)
        see_backward(t, see, f"{dtype} mean", F.binary_cross_entropy(p, y), p)
        see_backward(t, see, f"{dtype} none", F.binary_cross_entropy(p, y, reduction="none"), p)
    logits = t.tensor([-100.0, 100.0, 0.0, 30.0], requires_grad=True)
    target = t.tensor([0.0, 1.0, 0.5, 0.3], requires_grad=True)
    see_backward(t, see, "with logits, extremes", F.binary_cross_entropy_with_logits(
        logits, target, pos_weight=t.tensor([2.0])), logits, target)


# ----- dtypes, warnings, errors ----------------------------------------------------------------------

@scenario
def softmax_dtypes_and_dims(t, see):
    F = t.nn.functional
    x64 = leaf(t, (3, 4), dtype=t.float64)
    see_backward(t, see, "narrowing dtype", F.softmax(x64, 1, dtype=t.float32), x64)
    see_backward(t, see, "log narrowing dtype", F.log_softmax(x64, 0, dtype=t.float32), x64)
    x = leaf(t, (2, 3))
    see.call("implicit dim warns", lambda: F.softmax(x))
    scalar = t.tensor(2.0, requires_grad=True)
    see_backward(t, see, "0-d", F.log_softmax(scalar, 0), scalar)
    see.call("dim out of range", lambda: F.softmax(x, 2))
    see.call("integer input", lambda: F.log_softmax(t.tensor([1, 2]), 0))
    see.call("tuple dim", lambda: F.softmax(x, (0, 1)))
    see("method", x.softmax(-1))


@scenario
def refused_arguments(t, see):
    F = t.nn.functional
    logits = leaf(t, (3, 4))
    probs = leaf(t, (3, 4), low=0.1, high=0.9)
    for label, thunk in [
        ("class out of range", lambda: F.cross_entropy(logits, t.tensor([0, 4, 1]))),
        ("negative class", lambda: F.nll_loss(logits, t.tensor([0, -1, 1]))),
        ("batch mismatch", lambda: F.nll_loss(logits, t.tensor([0, 1]))),
        ("int32 target", lambda: F.cross_entropy(logits, t.tensor([0, 1, 2], dtype=t.int32))),
        ("float target of another shape", lambda: F.cross_entropy(logits, t.ones(3, 5))),
        ("weight size", lambda: F.nll_loss(logits, t.tensor([0, 1, 2]), weight=t.ones(3))),
        ("weight dtype", lambda: F.nll_loss(logits, t.tensor([0, 1, 2]), weight=t.ones(4, dtype=t.float64))),
        ("weight requires grad", lambda: F.nll_loss(logits, t.tensor([0, 1, 2]), weight=t.ones(4, requires_grad=True))),
        ("spatial target shape", lambda: F.nll_loss(leaf(t, (2, 4, 3)), t.zeros(2, 2, dtype=t.int64))),
        ("ignore_index with probabilities", lambda: F.cross_entropy(logits, probs, ignore_index=1)),
        ("label_smoothing above 1", lambda: F.cross_entropy(logits, t.tensor([0, 1, 2]), label_smoothing=1.5)),
        ("bad reduction", lambda: F.mse_loss(logits, probs, reduction="avg")),
        ("bce input outside [0, 1]", lambda: F.binary_cross_entropy(logits * 3, probs)),
        ("bce target shape", lambda: F.binary_cross_entropy(probs, probs[0])),
        ("bce target dtype", lambda: F.binary_cross_entropy(probs, probs.double())),
        ("bce weight requires grad",
         lambda: F.binary_cross_entropy(probs, probs, weight=t.ones(4, requires_grad=True))),
        ("logits target shape", lambda: F.binary_cross_entropy_with_logits(logits, probs[0])),
        ("gelu approximation", lambda: F.gelu(logits, approximate="erf")),
        ("dropout probability", lambda: F.dropout(logits, 1.5)),
        ("integer leaky_relu", lambda: F.leaky_relu(t.tensor([1, -2]))),
        ("in-place on a leaf", lambda: F.elu(logits, inplace=True)),
    ]:
        see.call(label, thunk)
    out = F.leaky_relu(logits.clone(), -0.5, inplace=True)
    see.call("in-place leaky_relu, negative slope, backward", lambda: out.sum().backward())
    loss = F.nll_loss(logits, t.tensor([0, 1, 2]))
    loss.backward()
    see.call("nll backward twice", lambda: loss.backward())


# ----- dropout ---------------------------------------------------------------------------------------

@scenario
def dropout_deterministic_forms(t, see):
    F = t.nn.functional
    x = leaf(t, (3, 4))
    see("eval returns the input itself", F.dropout(x, 0.5, training=False) is x)
    see("p=0 returns the input itself", F.dropout(x, 0.0) is x)
    see("an empty input is returned itself", [F.dropout(e, p) is e for e in [t.zeros(0, 3)] for p in (0.5, 1.0)])
    see_backward(t, see, "p=1", F.dropout(x, 1.0), x)
    y = F.dropout(x, 0.5)
    see("training: structure", (graph(y), tuple(y.shape), y.dtype, y.requires_grad))
    z = F.dropout(x.clone(), 0.5, inplace=True)
    see("in-place on a non-leaf: structure", graph(z))
    see.call("integer input", lambda: F.dropout(t.tensor([1, 2]), 0.5))


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
@pytest.mark.parametrize("dtype", [mygrad.float32, mygrad.float64])
def test_dropout_mask_scales_kept_values_and_gradient(p, dtype):
    """Each element is dropped (0) or kept and scaled by 1/(1-p); the gradient is that same factor."""
    x = mygrad.tensor(np.random.default_rng(0).uniform(0.5, 2.0, (200, 50)), dtype=dtype, requires_grad=True)
    y = MF.dropout(x, p)
    values, inputs = y.detach().numpy(), x.detach().numpy()
    scale = np.ones((), dtype.np) / dtype.np.type(1 - p)
    kept = values != 0
    np.testing.assert_array_equal(values[kept], (inputs * scale)[kept])
    assert abs(1 - kept.mean() - p) < 0.02
    upstream = np.random.default_rng(1).standard_normal(y.shape).astype(dtype.np)
    y.backward(mygrad.tensor(upstream))
    np.testing.assert_array_equal(x.grad.numpy(), upstream * (kept * scale))
    assert y.dtype == dtype and type(y.grad_fn).__name__ == "MulBackward0"


def test_dropout_is_reproducible_from_the_seed():
    x = mygrad.ones(100)
    mygrad.manual_seed(7)
    first = MF.dropout(x, 0.5).numpy()
    mygrad.manual_seed(7)
    np.testing.assert_array_equal(MF.dropout(x, 0.5).numpy(), first)
    assert not np.array_equal(MF.dropout(x, 0.5).numpy(), first)


def test_dropout_in_place_masks_the_tensor_itself():
    x = mygrad.ones(1000, requires_grad=True)
    y = x * 1
    out = MF.dropout(y, 0.25, inplace=True)
    assert out is y and type(out.grad_fn).__name__ == "MulBackward0"
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # d(sum)/dx is the mask itself


@scenario
def saved_tensors(t, see):
    """What each node saves decides where an in-place edit breaks backward and where a second
    backward raises (torch frees saved tensors after the first)."""
    F = t.nn.functional
    x = leaf(t, (3, 4))
    target = t.tensor([0, 3, 1])
    for label, fn in [("softmax", lambda h: F.softmax(h, 1)), ("log_softmax", lambda h: F.log_softmax(h, 0)),
                      ("gelu", F.gelu), ("silu", F.silu), ("leaky_relu", F.leaky_relu), ("elu", F.elu),
                      ("softplus", F.softplus), ("nll", lambda h: F.nll_loss(h, target)),
                      ("mse", lambda h: F.mse_loss(h, h.detach() * 2)), ("bce logits", lambda h:
                      F.binary_cross_entropy_with_logits(h, t.ones(3, 4) / 2))]:
        h = x * 1
        out = fn(h)
        h.add_(1)
        see.call(label + ": input edited in place", lambda: out.sum().backward())
        out = fn(x * 1)
        out.add_(1) if out.dim() else None
        see.call(label + ": output edited in place", lambda: out.sum().backward())
        out = fn(x * 1)
        out.sum().backward()
        see.call(label + ": second backward", lambda: out.sum().backward())


# ----- activations with random draws: torch's draws cannot be matched, their laws and gradients can ---------

def _same_graph(x_torch, x_mine):
    return graph_tree(x_torch.grad_fn, 5) == graph_tree(x_mine.grad_fn, 5)


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_samples_and_graph(hard):
    logits = np.log(np.array([[0.7, 0.2, 0.1]] * 4000))
    mine = mygrad.tensor(logits, requires_grad=True)
    theirs = torch.tensor(logits, requires_grad=True)
    mygrad.manual_seed(0)
    y_mine = mygrad.nn.functional.gumbel_softmax(mine, tau=0.5, hard=hard)
    y_theirs = torch.nn.functional.gumbel_softmax(theirs, tau=0.5, hard=hard)
    assert _same_graph(y_theirs, y_mine) and y_mine.dtype == mygrad.float64
    np.testing.assert_allclose(y_mine.detach().numpy().sum(-1), 1.0, rtol=1e-12)
    if hard:
        assert set(np.unique(y_mine.detach().numpy())) <= {0.0, 1.0}
    # Gumbel-max: the argmax is distributed as softmax(logits): 0.7, 0.2, 0.1
    frequencies = np.bincount(y_mine.detach().numpy().argmax(-1), minlength=3) / 4000
    np.testing.assert_allclose(frequencies, [0.7, 0.2, 0.1], atol=0.03)
    y_mine[:, 0].sum().backward()
    assert mine.grad is not None and np.isfinite(mine.grad.numpy()).all()


def test_rrelu_in_training_draws_slopes_between_its_bounds():
    x = mygrad.full((20000,), -1.0, requires_grad=True)
    mygrad.manual_seed(0)
    y = mygrad.nn.functional.rrelu(x, lower=0.1, upper=0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.005
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), slopes)  # the gradient is each element's slope
    positive = mygrad.ones(3, requires_grad=True)
    np.testing.assert_array_equal(mygrad.nn.functional.rrelu(positive, training=True).detach().numpy(), 1.0)
