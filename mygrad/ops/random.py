"""Sampling with tensor arguments (``normal``, ``bernoulli``, ``multinomial``, ``poisson``) and the in-place
samplers (``normal_``, ``uniform_``, ``bernoulli_``, ``exponential_``, ``random_``, ...).

Draws come from NumPy's PCG64 through ``generator=`` or the default generator, so a seed reproduces
mygrad's draws, not torch's.  Shapes, dtypes, argument checks and graphs are torch's: a sample is not
reparameterised, so its node passes a zero gradient back (``NormalBackward1``, ``BernoulliBackward0``, ...),
and an in-place sampler on a non-leaf records ``<Name>Backward0`` with a zero gradient.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._creation import _rng
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd.node import derivative
from ._define import methods, record
from .elementwise import no_derivative_node, requiring_grad

NormalBackward1 = derivative("NormalBackward1", mean="zeros_like(mean)")
NormalBackward2 = derivative("NormalBackward2", std="zeros_like(std)")
NormalBackward3 = derivative("NormalBackward3", mean="zeros_like(mean)", std="zeros_like(std)")
BernoulliBackward0 = derivative("BernoulliBackward0", self="zeros_like(grad)")
BernoulliBackward1 = derivative("BernoulliBackward1", self="zeros_like(grad)",
                                p="zeros_like(p)")  # bernoulli_(Tensor p)
BernoulliBackward2 = derivative("BernoulliBackward2", self="zeros_like(grad)")                   # bernoulli_(float p)
PoissonBackward0 = derivative("PoissonBackward0", self="zeros_like(self)")
_IN_PLACE_NODES = {name: derivative(f"{name}Backward0", self="zeros_like(grad)") for name in (
    "Normal", "Uniform", "Exponential", "Random", "LogNormal", "Cauchy", "Geometric")}


def _check_std(std) -> None:
    values = std._data if isinstance(std, Tensor) else np.asarray(std)
    if (values < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad: bool = False,
           device=None) -> Tensor:
    """normal(Tensor mean, Tensor std), normal(Tensor mean, float std), normal(float mean, Tensor std),
    normal(float mean, float std, size)."""
    rng = _rng(generator)
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected one of size= for two numbers")
        _check_std(std)
        np_dtype = (dtype or _dtype.get_default_dtype()).np
        shape = tuple(size) if isinstance(size, (tuple, list)) else (size,)
        out = Tensor._make((rng.standard_normal(shape) * std + mean).astype(np_dtype), bool(requires_grad), None)
        return out
    _check_std(std)
    if isinstance(mean, Tensor) and isinstance(std, Tensor):
        shape = np.broadcast_shapes(mean.shape, std.shape)
        np_dtype = np.result_type(mean._data, std._data)
        data = (rng.standard_normal(shape) * std._data + mean._data).astype(np_dtype)
        return record(NormalBackward3, data, (mean, std), mean=mean, std=std)
    if isinstance(mean, Tensor):
        data = (rng.standard_normal(mean.shape) * std + mean._data).astype(mean._data.dtype)
        return record(NormalBackward1, data, (mean,), mean=mean)
    data = (rng.standard_normal(std.shape) * std._data + mean).astype(std._data.dtype)
    return record(NormalBackward2, data, (std,), std=std)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """1 with probability ``input`` (or ``p``), else 0, in the input's dtype."""
    probability = input._data if p is None else np.asarray(p)
    if ((probability < 0) | (probability > 1)).any() or np.isnan(probability).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                           "be improved?  If so, please report an enhancement request to PyTorch.)")
    draws = (_rng(generator).random(input.shape) < probability).astype(input._data.dtype)
    if p is not None:  # torch's bernoulli(input, float p) has no derivative
        edges = requiring_grad(input)
        return record(no_derivative_node("aten::bernoulli", edges), draws, edges)
    return record(BernoulliBackward0, draws, (input,))


def poisson(input: Tensor, generator=None) -> Tensor:
    if (input._data < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    draws = _rng(generator).poisson(input._data).astype(input._data.dtype)
    return record(PoissonBackward0, draws, (input,), self=input)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Indices drawn from each row's (unnormalised) weights; without replacement, each index at most once."""
    weights = input._data
    if weights.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if weights.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > weights.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = weights.reshape(-1, weights.shape[-1]).astype(np.float64)
    totals = rows.sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    if replacement:
        cumulative = np.cumsum(rows / totals, axis=1)
        picks = (rng.random((rows.shape[0], num_samples, 1)) > cumulative[:, None, :]).sum(axis=2)
        picks = np.minimum(picks, rows.shape[1] - 1)
    else:  # Gumbel top-k: the k largest of log w + Gumbel noise are a draw without replacement
        with np.errstate(divide="ignore"):  # a zero weight is a key of -inf: never drawn
            keys = np.log(rows) - np.log(rng.exponential(size=rows.shape))
        picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    return Tensor._make(picks.reshape(weights.shape[:-1] + (num_samples,)).astype(np.int64), False, None)


# ----- in-place samplers ---------------------------------------------------------------------------------

def _fill(name: str, draw):
    """``Tensor.<name>_``: fill with draws (``draw(rng, shape, *args)``) in the tensor's dtype; on a tensor
    in a graph the history becomes ``<Name>Backward0``, whose gradient is 0."""
    node = _IN_PLACE_NODES[name]

    def sample(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
        if self._data.dtype.kind != "f" and name != "Random":
            kernel = _KERNELS.get(name, f"{name.lower()}_cpu")
            raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(self.dtype)}\'')

        def fill(x: Tensor) -> Tensor:
            values = np.asarray(draw(_rng(generator), x.shape, *args, **kwargs)).astype(x._data.dtype)
            return record(node, values, (x,))
        return self._inplace(fill)
    sample.__name__ = f"{name.lower()}_"
    return sample


_KERNELS = {"Normal": "normal_kernel_cpu", "Uniform": "check_uniform_bounds"}  # torch's names in its errors


def _random_integers(rng, shape, start=None, end=None):
    if start is None:
        return rng.integers(0, 2 ** 24, size=shape)
    if end is None:
        start, end = 0, start
    if start >= end:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={start} >= to={end}")
    return rng.integers(start, end, size=shape)


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 1 at probability ``p`` (a number: BernoulliBackward2; a tensor: BernoulliBackward1)."""
    probability = p._data if isinstance(p, Tensor) else np.asarray(p)
    if np.any((probability < 0) | (probability > 1)):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")

    def fill(x: Tensor, *operand) -> Tensor:
        values = (_rng(generator).random(x.shape) < probability).astype(x._data.dtype)
        if operand:
            return record(BernoulliBackward1, values, (x, operand[0]), p=operand[0])
        return record(BernoulliBackward2, values, (x,))
    return self._inplace(fill, *((p,) if isinstance(p, Tensor) else ()))


def _check_positive(value, message: str):
    if value <= 0:
        raise RuntimeError(message.format(f"{value:g}"))
    return value


methods(
    normal_=_fill("Normal", lambda rng, shape, mean=0.0, std=1.0: rng.standard_normal(shape) * std + mean),
    uniform_=_fill("Uniform", lambda rng, shape, a=0.0, b=1.0: rng.uniform(a, b, shape)),
    bernoulli_=bernoulli_,
    exponential_=_fill("Exponential", lambda rng, shape, lambd=1.0: rng.exponential(
        1 / _check_positive(lambd, "exponential_ expects lambda > 0.0, but found lambda={}"), shape)),
    random_=_fill("Random", _random_integers),
    log_normal_=_fill("LogNormal", lambda rng, shape, mean=1.0, std=2.0: np.exp(rng.standard_normal(shape) * std
                                                                                  + mean)),
    cauchy_=_fill("Cauchy", lambda rng, shape, median=0.0, sigma=1.0: median + sigma * rng.standard_cauchy(shape)),
    geometric_=_fill("Geometric", lambda rng, shape, p: rng.geometric(p, shape)),
    bernoulli=bernoulli, multinomial=multinomial,
)

__all__ = ["normal", "bernoulli", "poisson", "multinomial"]
