"""torch.distributions beyond what the conformance records compute from given values: shapes and
dtypes of samples, reparameterised gradients (the sample carries its own noise, so the expected
gradient is recovered from it), laws of large samples, validation errors, reprs, expand and
enumerate_support, side by side with torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from paired import scenario_suite

import mygrad

scenario, test_matches_torch = scenario_suite()


def _params(t):
    D = t.distributions
    return [D.Normal(t.tensor([0.0, 1.0]), t.tensor([1.0, 2.0])), D.Normal(0.0, 1.0),
            D.Bernoulli(probs=t.tensor([0.3, 0.5, 0.9])), D.Bernoulli(logits=0.3),
            D.Categorical(logits=t.tensor([[0.3, -1.0, 2.0], [0.0, 0.0, 1.0]])), D.Categorical(t.tensor([0.2, 0.8])),
            D.Uniform(t.tensor([0.0, 1.0]), 3.0), D.Independent(D.Normal(t.zeros(2, 3), 1.0), 1)]


@scenario
def shapes_reprs_and_moments(t, see):
    for d in _params(t):
        name = repr(d)
        see(name, name)
        see(f"{name} shapes", (d.batch_shape, d.event_shape))
        for sample_shape in [(), (4,), (2, 3)]:
            s = d.sample(sample_shape)
            see(f"{name} sample{sample_shape} shape, dtype, requires_grad", (tuple(s.shape), str(s.dtype),
                                                                          s.requires_grad))
        for attribute in ["mean", "variance", "stddev", "mode", "has_rsample", "has_enumerate_support", "support"]:
            see.call(f"{name}.{attribute}", lambda d=d, a=attribute: repr(getattr(d, a))
                     if a in ("support",) else getattr(d, a))


@scenario
def expand_and_enumerate_support(t, see):
    D = t.distributions
    for d in [D.Normal(t.tensor([0.0, 1.0]), 1.0), D.Bernoulli(probs=t.tensor([0.3, 0.6])),
              D.Categorical(logits=t.zeros(2, 3)), D.Uniform(0.0, t.tensor([1.0, 2.0]))]:
        e = d.expand((4, 2))
        see(f"{d!r}.expand", (repr(e), e.batch_shape, e.mean))
    see("Bernoulli support", D.Bernoulli(probs=t.tensor([0.3, 0.6])).enumerate_support())
    see("Categorical support", D.Categorical(logits=t.zeros(2, 3)).enumerate_support(expand=False))
    see.call("Independent support", lambda: D.Independent(D.Bernoulli(t.full((2,), 0.5)), 1).enumerate_support())


@scenario
def validation_errors(t, see):
    D = t.distributions
    n = D.Normal(t.zeros(2), 1.0)
    cases = {
        "negative scale": lambda: D.Normal(0.0, -1.0),
        "NaN loc": lambda: D.Normal(t.tensor([float("nan")]), 1.0),
        "probs above 1": lambda: D.Bernoulli(probs=t.tensor([1.5])),
        "both probs and logits": lambda: D.Bernoulli(probs=0.3, logits=0.1),
        "neither": lambda: D.Categorical(),
        "0-d categorical": lambda: D.Categorical(t.tensor(0.5)),
        "low above high": lambda: D.Uniform(2.0, 1.0),
        "value not broadcastable": lambda: n.log_prob(t.zeros(3)),
        "value not a tensor": lambda: n.log_prob(0.5),
        "value outside the support": lambda: D.Bernoulli(0.3).log_prob(t.tensor(0.5)),
        "category out of range": lambda: D.Categorical(t.tensor([0.5, 0.5])).log_prob(t.tensor(2)),
        "no KL for the pair": lambda: D.kl_divergence(n, D.Categorical(t.tensor([0.5, 0.5]))),
        "cross exponential families": lambda: D.kl_divergence(n, D.Bernoulli(0.3)),
        "too many reinterpreted dims": lambda: D.Independent(n, 2),
        "unvalidated": lambda: D.Normal(0.0, -1.0, validate_args=False).scale,
    }
    for label, thunk in cases.items():
        see.call(label, thunk)


@scenario
def bregman_entropy_and_kl_of_one_family(t, see):
    """ExponentialFamily's generic entropy and KL (autograd.grad of the log normalizer) agree with the
    closed forms, in both libraries."""
    D = t.distributions
    loc = t.tensor([0.0, 1.0], requires_grad=True)
    n = D.Normal(loc, t.tensor([1.0, 2.0]))
    see("Bregman entropy", D.ExponentialFamily.entropy(n))
    kl = D.kl._kl_expfamily_expfamily(n, D.Normal(t.tensor([0.5, 0.0]), t.tensor([2.0, 1.0])))
    see("Bregman KL", kl)
    kl.sum().backward()
    see("its gradient", loc.grad)


@scenario
def registering_a_kl(t, see):
    D = t.distributions

    class Shifted(D.Normal):
        pass

    @D.register_kl(Shifted, D.Normal)
    def _kl(p, q):
        return (p.loc - q.loc).abs()

    see("the most specific pair wins", D.kl_divergence(Shifted(1.0, 1.0), D.Normal(0.0, 1.0)))
    see("the general pair elsewhere", D.kl_divergence(D.Normal(1.0, 1.0), Shifted(0.0, 1.0)))
    see.call("any class is accepted", lambda: callable(D.register_kl(int, D.Normal)))
    see.call("a non-class is not", lambda: D.register_kl(3, D.Normal))


@pytest.mark.parametrize("make", [
    lambda t, loc, scale: t.distributions.Normal(loc, scale),
    lambda t, loc, scale: t.distributions.Uniform(loc, loc + scale),
], ids=["Normal", "Uniform"])
def test_rsample_gradients_are_the_reparameterisation(make):
    """rsample's gradient with respect to the parameters is torch's: d(loc + eps scale) = (1, eps) for
    Normal, d(low + u (high - low)) for Uniform; the noise is read back from the sample itself."""
    results = {}
    for t in (torch, mygrad):
        loc = t.tensor([0.5, -1.0], requires_grad=True)
        scale = t.tensor([2.0, 0.5], requires_grad=True)
        d = make(t, loc, scale)
        sample = d.rsample((5,))
        assert sample.requires_grad and type(sample.grad_fn).__name__ == "AddBackward0"
        weights = t.arange(10.0).reshape(5, 2)
        (sample * weights).sum().backward()
        noise = ((sample.detach() - loc.detach()) / scale.detach()).numpy()
        results[t.__name__] = (loc.grad.numpy(), scale.grad.numpy(), (noise * weights.numpy()).sum(0))
    for lib, (loc_grad, scale_grad, expected_scale_grad) in results.items():
        np.testing.assert_allclose(loc_grad, results["torch"][0], err_msg=lib)
        np.testing.assert_allclose(scale_grad, expected_scale_grad, rtol=1e-5, err_msg=lib)


@pytest.mark.parametrize("name", ["Normal", "Bernoulli", "Categorical", "Uniform"])
def test_samples_follow_the_law(name):
    """Large samples from mygrad have the distribution's mean and variance (as torch's samples do)."""
    D = mygrad.distributions
    d = {"Normal": D.Normal(mygrad.tensor([1.0, -2.0]), mygrad.tensor([0.5, 3.0])),
         "Bernoulli": D.Bernoulli(probs=mygrad.tensor([0.2, 0.7])),
         "Categorical": D.Categorical(probs=mygrad.tensor([0.1, 0.6, 0.3])),
         "Uniform": D.Uniform(mygrad.tensor([0.0, 2.0]), mygrad.tensor([1.0, 5.0]))}[name]
    samples = d.sample((20000,)).double().numpy()
    if name == "Categorical":
        counts = np.bincount(samples.astype(int), minlength=3) / len(samples)
        np.testing.assert_allclose(counts, d.probs.numpy(), atol=0.02)
        return
    np.testing.assert_allclose(samples.mean(0), d.mean.numpy(), atol=0.1)
    np.testing.assert_allclose(samples.var(0), d.variance.numpy(), rtol=0.1)
