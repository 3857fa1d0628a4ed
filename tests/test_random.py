"""Sampling: torch's draws cannot be matched, so what is compared is everything else a user sees (shapes,
dtypes, graphs, the zero gradient of a sample, argument errors, see paired.py), and mygrad's draws are checked
against their distributions and for reproducibility from a seed or a Generator."""
from __future__ import annotations

import numpy as np
import pytest

import mygrad
from paired import graph_tree, scenario_suite

scenario, test_matches_torch = scenario_suite()


def _seen(t, value):
    """A sample's shape, dtype, graph and flags, not its values."""
    return (tuple(value.shape), str(value.dtype), value.requires_grad, graph_tree(value.grad_fn))


@scenario
def samplers_with_tensor_arguments(t, see):
    mean, std = t.zeros(3, requires_grad=True), t.ones(3, requires_grad=True)
    p = t.full((2, 3), 0.5, requires_grad=True)
    rate = t.ones(4, requires_grad=True)
    for label, thunk in {"normal(tensor, tensor)": lambda: t.normal(mean, std),
                         "normal(tensor, float)": lambda: t.normal(mean, 2.0),
                         "normal(float, tensor)": lambda: t.normal(1.0, std),
                         "normal(float, float, size)": lambda: t.normal(0.0, 1.0, (2, 5)),
                         "normal(broadcast)": lambda: t.normal(t.zeros(2, 1, requires_grad=True), std),
                         "bernoulli": lambda: t.bernoulli(p), "bernoulli(p=)": lambda: t.bernoulli(p, 0.3),
                         "poisson": lambda: t.poisson(rate)}.items():
        out = thunk()
        see(label, _seen(t, out))
        if out.requires_grad:
            see.call(label + " backward", lambda: out.sum().backward())  # (bernoulli(p=float) has no derivative)
    see("normal's gradients are zero", (mean.grad, std.grad))
    see("bernoulli's", p.grad)
    see("poisson's", rate.grad)
    see("multinomial", _seen(t, t.multinomial(t.tensor([[0.2, 0.8, 0.0], [1.0, 1.0, 1.0]]), 2)))
    see("multinomial with replacement", _seen(t, t.multinomial(t.tensor([0.2, 0.8]), 5, replacement=True)))


@scenario
def in_place_samplers(t, see):
    for name, args in {"normal_": (), "uniform_": (2.0, 3.0), "bernoulli_": (0.3,), "exponential_": (),
                       "random_": (0, 5), "log_normal_": (), "cauchy_": (), "geometric_": (0.5,)}.items():
        x = t.zeros(2, 3)
        see(name, _seen(t, getattr(x, name)(*args)))
        leaf = t.zeros(3, requires_grad=True)
        y = leaf * 1
        out = getattr(y, name)(*args)
        see(name + " on a non-leaf", (out is y, _seen(t, out)))
        out.sum().backward()
        see(name + " passes a zero gradient", leaf.grad)


@scenario
def sampler_errors(t, see):
    see.call("multinomial too many without replacement", lambda: t.multinomial(t.tensor([0.2, 0.8]), 3))
    see.call("multinomial negative weight", lambda: t.multinomial(t.tensor([-0.2, 0.8]), 1))
    see.call("multinomial zero samples", lambda: t.multinomial(t.tensor([0.2, 0.8]), 0))
    see.call("normal negative std", lambda: t.normal(t.zeros(2), -t.ones(2)))
    see.call("bernoulli p > 1", lambda: t.bernoulli(t.tensor([1.5])))
    see.call("poisson negative rate", lambda: t.poisson(t.tensor([-1.0])))
    see.call("normal_ on a leaf that requires grad", lambda: t.zeros(3, requires_grad=True).normal_())
    see.call("normal_ on integers", lambda: t.zeros(2, dtype=t.int64).normal_())
    see.call("uniform_ on integers", lambda: t.zeros(2, dtype=t.int64).uniform_())
    see.call("exponential_ with lambda < 0", lambda: t.zeros(2).exponential_(-1.0))
    see.call("random_ with from >= to", lambda: t.zeros(2).random_(5, 2))


def test_draws_follow_their_distributions():
    mygrad.manual_seed(0)
    n = 200_000
    normal = mygrad.normal(mygrad.full((n,), 2.0), 3.0).numpy()
    assert abs(normal.mean() - 2.0) < 0.03 and abs(normal.std() - 3.0) < 0.03
    assert abs(mygrad.bernoulli(mygrad.full((n,), 0.3)).numpy().mean() - 0.3) < 0.01
    assert abs(mygrad.poisson(mygrad.full((n,), 4.0)).numpy().var() - 4.0) < 0.1
    uniform = mygrad.zeros(n).uniform_(2.0, 3.0).numpy()
    assert uniform.min() >= 2.0 and uniform.max() < 3.0
    assert abs(mygrad.zeros(n).exponential_(2.0).numpy().mean() - 0.5) < 0.01
    counts = np.bincount(mygrad.multinomial(mygrad.tensor([0.2, 0.3, 0.5]), n, replacement=True).numpy(),
                         minlength=3) / n
    np.testing.assert_allclose(counts, [0.2, 0.3, 0.5], atol=0.01)
    rows = mygrad.multinomial(mygrad.ones(1000, 5), 5).numpy()
    assert all(sorted(row) == [0, 1, 2, 3, 4] for row in rows)   # without replacement: a permutation
    first = np.bincount(mygrad.multinomial(mygrad.tensor([[0.7, 0.2, 0.1]] * 20000), 1).numpy()[:, 0]) / 20000
    np.testing.assert_allclose(first, [0.7, 0.2, 0.1], atol=0.02)


@pytest.mark.parametrize("sample", [lambda g: mygrad.normal(mygrad.zeros(5), 1.0, generator=g),
                                    lambda g: mygrad.bernoulli(mygrad.full((5,), 0.5), generator=g),
                                    lambda g: mygrad.multinomial(mygrad.ones(5), 3, generator=g),
                                    lambda g: mygrad.zeros(5).uniform_(generator=g)])
def test_a_seed_or_a_generator_reproduces_the_draws(sample):
    first = sample(mygrad.Generator().manual_seed(7)).numpy()
    again = sample(mygrad.Generator().manual_seed(7)).numpy()
    np.testing.assert_array_equal(first, again)
    mygrad.manual_seed(3)
    a = sample(None).numpy()
    mygrad.manual_seed(3)
    np.testing.assert_array_equal(a, sample(None).numpy())
