"""Records for torch.distributions: log_prob, cdf/icdf, entropy and kl_divergence of Normal, Bernoulli,
Categorical, Uniform and Independent, computed from drawn parameters and values in both libraries
(gradients of every parameter and value, node names and graphs included).  Sampling draws from NumPy's
generator, so samples are checked in tests/test_distributions.py (shapes, dtypes, reparameterised
gradients), not here.

Values are made to lie in each support from the drawn tensors by the same code in both libraries:
Bernoulli's by thresholding, Categorical's as indices modulo the number of events, Uniform's inside
[low, high)."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import Domain, arrays, nary, positive, real

SCALE = positive(0.2, 3.0, special=(1.0,))
PROBS = Domain(0.05, 0.95, 0.0, (0.5,))


def _normal(lib, loc, scale):
    return lib.distributions.Normal(loc, scale)


def _normal_log_prob(lib, loc, scale, value):
    return _normal(lib, loc, scale).log_prob(value)


def _normal_cdf(lib, loc, scale, value):
    return _normal(lib, loc, scale).cdf(value)


def _normal_icdf(lib, loc, scale, q):
    return _normal(lib, loc, scale).icdf(q)


def _normal_entropy(lib, loc, scale):
    return _normal(lib, loc, scale).entropy()


def _normal_kl(lib, loc, scale, other_loc, other_scale):
    return lib.distributions.kl_divergence(_normal(lib, loc, scale), _normal(lib, other_loc, other_scale))


def _independent_log_prob(lib, loc, scale, value):
    base = _normal(lib, loc, scale)
    return lib.distributions.Independent(base, min(1, len(base.batch_shape))).log_prob(value)


def _bernoulli_log_prob(lib, probs, value):
    return lib.distributions.Bernoulli(probs=probs).log_prob((value > 0).to(probs.dtype))


def _bernoulli_logits_log_prob(lib, logits, value):
    return lib.distributions.Bernoulli(logits=logits).log_prob((value > 0).to(logits.dtype))


def _bernoulli_entropy(lib, logits):
    return lib.distributions.Bernoulli(logits=logits).entropy()


def _bernoulli_kl(lib, probs, other_probs):
    D = lib.distributions
    return D.kl_divergence(D.Bernoulli(probs=probs), D.Bernoulli(probs=other_probs))


def _events(value, logits):
    """Event indices from a drawn tensor: broadcastable with the batch shape, in [0, K)."""
    reduced = value.sum(-1) if value.dim() else value
    return (reduced.detach().abs() * 7).long() % max(logits.shape[-1], 1) if logits.dim() else reduced.long()


def _categorical_log_prob(lib, logits, value):
    return lib.distributions.Categorical(logits=logits).log_prob(_events(value, logits))


def _categorical_probs_log_prob(lib, probs, value):
    return lib.distributions.Categorical(probs=probs).log_prob(_events(value, probs))


def _categorical_entropy(lib, logits):
    return lib.distributions.Categorical(logits=logits).entropy()


def _categorical_kl(lib, logits, other_logits):
    D = lib.distributions
    return D.kl_divergence(D.Categorical(logits=logits), D.Categorical(logits=other_logits))


def _uniform(lib, low, width):
    return lib.distributions.Uniform(low, low + width)


def _uniform_log_prob(lib, low, width, u):
    return _uniform(lib, low, width).log_prob(low + u * width)


def _uniform_cdf(lib, low, width, u):
    return _uniform(lib, low, width).cdf(low + u * width)


def _uniform_entropy(lib, low, width):
    return _uniform(lib, low, width).entropy()


def _uniform_kl(lib, low, width, margin, other_width):
    D = lib.distributions
    return D.kl_divergence(_uniform(lib, low, width), D.Uniform(low - margin, low + width + other_width))


def _uniform_normal_kl(lib, low, width, loc, scale):
    D = lib.distributions
    return D.kl_divergence(_uniform(lib, low, width), D.Normal(loc, scale))


def _normal_uniform_kl(lib, loc, scale, low, width):
    D = lib.distributions
    return D.kl_divergence(D.Normal(loc, scale), _uniform(lib, low, width))


def _spd(lib, a, dim_jitter):
    """A symmetric positive-definite matrix from any square ``a``: a aᵀ / n + (1/2 + |jitter|) I."""
    n = a.shape[-1]
    # the identity first: a bad ``a`` (a NumPy array) is refused by eye's dtype check before NumPy's own
    # matmul would run under the harness's errstate
    identity = lib.eye(n, dtype=a.dtype)
    return a @ a.mT / n + (0.5 + dim_jitter.abs().unsqueeze(-1)) * identity


def _mvn(lib, loc, a, jitter, how):
    cov = _spd(lib, a, jitter)
    D = lib.distributions
    if how == "covariance":
        return D.MultivariateNormal(loc, covariance_matrix=cov)
    if how == "precision":
        return D.MultivariateNormal(loc, precision_matrix=cov)
    return D.MultivariateNormal(loc, scale_tril=lib.linalg.cholesky(cov))


def _mvn_log_prob(lib, loc, a, jitter, value, how):
    return _mvn(lib, loc, a, jitter, how).log_prob(value)


def _mvn_entropy(lib, loc, a, jitter, how):
    return _mvn(lib, loc, a, jitter, how).entropy()


def _mvn_kl(lib, loc, a, jitter, other_loc, how):
    return lib.distributions.kl_divergence(_mvn(lib, loc, a, jitter, how), _mvn(lib, other_loc, a.mT, jitter, how))


def mvn_examples(n_values: int = 1):
    """loc (..., n), a square (n, n) drawn freely (made SPD by the call), a jitter (1,), values (..., n)."""
    def build(dtype: str, form=None):
        def make(d):
            batch, n, how = d
            shapes = [batch + (n,), (n, n), (1,)] + [batch + (n,)] * n_values
            return st.tuples(*[arrays(dtype, s, real(-2.0, 2.0)) for s in shapes]).map(
                lambda xs: Example(tuple(TensorArg(x) for x in xs), {"how": how}))
        return st.tuples(st.sampled_from([(), (2,), (3, 1)]), st.integers(1, 3),
                         st.sampled_from(["covariance", "precision", "scale_tril"])).flatmap(make)
    return build


def _calls(*rows):
    return [Record(name, nary(len(domains), domains), namespace="distributions", forms=("call",), call=call,
                   label=label)
            for name, label, call, domains in rows]


MVN = [Record("MultivariateNormal", mvn_examples(1), namespace="distributions", forms=("call",), call=_mvn_log_prob,
               label="MultivariateNormal.log_prob", tolerance={"float32": (1e-3, 1e-3)}),
       Record("MultivariateNormal", mvn_examples(0), namespace="distributions", forms=("call",), call=_mvn_entropy,
              label="MultivariateNormal.entropy", tolerance={"float32": (1e-3, 1e-3)}),
       Record("kl_divergence", mvn_examples(1), namespace="distributions", forms=("call",), call=_mvn_kl,
              label="kl_divergence(MultivariateNormal, MultivariateNormal)", tolerance={"float32": (1e-3, 1e-3)})]

RECORDS = MVN + _calls(
    ("Normal", "Normal.log_prob", _normal_log_prob, (real(), SCALE, real())),
    ("Normal", "Normal.cdf", _normal_cdf, (real(), SCALE, real())),
    ("Normal", "Normal.icdf", _normal_icdf, (real(), SCALE, PROBS)),
    ("Normal", "Normal.entropy", _normal_entropy, (real(), SCALE)),
    ("kl_divergence", "kl_divergence(Normal, Normal)", _normal_kl, (real(), SCALE, real(), SCALE)),
    ("Independent", "Independent(Normal).log_prob", _independent_log_prob, (real(), SCALE, real())),
    ("Bernoulli", "Bernoulli(probs).log_prob", _bernoulli_log_prob, (PROBS, real())),
    ("Bernoulli", "Bernoulli(logits).log_prob", _bernoulli_logits_log_prob, (real(), real())),
    ("Bernoulli", "Bernoulli.entropy", _bernoulli_entropy, (real(),)),
    ("kl_divergence", "kl_divergence(Bernoulli, Bernoulli)", _bernoulli_kl, (PROBS, PROBS)),
    ("Categorical", "Categorical(logits).log_prob", _categorical_log_prob, (real(), real())),
    ("Categorical", "Categorical(probs).log_prob", _categorical_probs_log_prob, (PROBS, real())),
    ("Categorical", "Categorical.entropy", _categorical_entropy, (real(),)),
    ("kl_divergence", "kl_divergence(Categorical, Categorical)", _categorical_kl, (real(), real())),
    ("Uniform", "Uniform.log_prob", _uniform_log_prob, (real(), SCALE, Domain(0.0, 0.95, 0.0, (0.0, 0.5)))),
    ("Uniform", "Uniform.cdf", _uniform_cdf, (real(), SCALE, Domain(0.0, 0.95, 0.0, (0.0, 0.5)))),
    ("Uniform", "Uniform.entropy", _uniform_entropy, (real(), SCALE)),
    ("kl_divergence", "kl_divergence(Uniform, Uniform)", _uniform_kl, (real(), SCALE, positive(), SCALE)),
    ("kl_divergence", "kl_divergence(Uniform, Normal)", _uniform_normal_kl, (real(), SCALE, real(), SCALE)),
    ("kl_divergence", "kl_divergence(Normal, Uniform)", _normal_uniform_kl, (real(), SCALE, real(), SCALE)),
)
