"""More of torch's math: NaN-ignoring extrema (fmax, fmin), integer gcd/lcm, positive, and the small
products and statistics torch builds from other ops (vdot, inner, dist, chain_matmul, cov, corrcoef).

The composites call the same ops in the same order as ATen's C++ (LinearAlgebra.cpp, Correlation.cpp),
so their graphs (node names, next_functions) are torch's.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype
from .._argument_types import Number, argument_types
from .._quiet import quiet
from .._tensor import Tensor
from .._tensor_str import scalar_type_name
from ..autograd import forward_ad
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ._define import binary_operands, check_broadcast, methods, record
from ._errors import check_tensor_list, not_implemented, not_tensor, past_checks
from ._scalar import mul_scalar, sub_scalar
from .elementwise import _check_subtraction, broadcast_apply
from .reductions import norm_backward  # noqa: F401  (the formula helper DistBackward0 reads)

__all__ = ["fmax", "fmin", "gcd", "gcd_", "lcm", "lcm_", "positive", "vdot", "inner", "dist", "chain_matmul",
           "cov", "corrcoef"]

# torch's derivatives.yaml: the gradient goes to the operand fmax picked (self on ties, the non-NaN one)
FmaxBackward0 = derivative("FmaxBackward0",
                           self="where((self >= other) | (other != other), grad, 0)",
                           other="where((self >= other) | (other != other), 0, grad)")
FminBackward0 = derivative("FminBackward0",
                           self="where((self <= other) | (other != other), grad, 0)",
                           other="where((self <= other) | (other != other), 0, grad)")
VdotBackward0 = derivative("VdotBackward0", self="grad * other", other="grad * self")


@formula_helper(tensor="same")
def negated_norm_backward(grad, diff, p, result, dims):
    """dist's gradient for ``other``: torch negates norm_backward's result, which is undefined for p = 0
    (so torch's negation raises)."""
    g = norm_backward(grad, diff, p, result, dims, False)
    if g is None:
        raise RuntimeError("Expected a proper Tensor but got None (or an undefined Tensor in C++) for argument #0 "
                           "'self'")
    return -g


DistBackward0 = derivative("DistBackward0", attrs="p dims",
                           self="norm_backward(grad, self - other, p, result, dims, False)",
                           other="negated_norm_backward(grad, self - other, p, result, dims)")
# torch's fmax/fmin result lines (measured): at a tie fmax takes other's tangent, fmin self's
forward_ad.TANGENTS["FmaxBackward0"] = "other_t + where((self > other) | (other != other), self_t - other_t, 0)"
# torch's dist line: norm_jvp of the difference and of its tangent (reductions.py)
forward_ad.TANGENTS["DistBackward0"] = "norm_jvp(self - other, self_t - other_t, p, result, dims, False)"
forward_ad.TANGENTS["FminBackward0"] = "other_t + where((self <= other) | (other != other), self_t - other_t, 0)"


@quiet
def _fmax(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """self where self >= other or other is NaN, else other (so fmax(-0.0, 0.0) is -0.0, as torch)."""
    return np.where((a >= b) | (b != b), a, b)


@quiet
def _fmin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where((a <= b) | (b != b), a, b)


def _extremum(name: str, node, kernel):
    def op(input: Tensor, other: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        a, b = binary_operands(input, other)
        return record(node, broadcast_apply(kernel, a, b), (input, other), self=input, other=other)
    op.__name__ = op.__qualname__ = name
    return op


fmax = _extremum("fmax", FmaxBackward0, _fmax)
fmin = _extremum("fmin", FminBackward0, _fmin)


def _integer_binary(name: str, kernel):
    """An integer-only op of two tensors (no gradient: torch's derivatives.yaml has none)."""
    def op(input: Tensor, other: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise not_tensor(name, input)
        if not isinstance(other, Tensor):
            raise not_tensor(name, other, "other", 2)
        a, b = binary_operands(input, other)
        if a.dtype.kind not in "iub" or a.dtype.kind == "b":
            check_broadcast(a, b)   # (torch's TensorIterator meets the shapes before the kernel's dtype)
            raise not_implemented(f"{name}_cpu", a)
        out = broadcast_apply(kernel, a, b)
        return Tensor._make(np.asarray(out, a.dtype), False, None)
    op.__name__ = op.__qualname__ = name

    def in_place(self: Tensor, other: Tensor) -> Tensor:
        if isinstance(other, Tensor) and other._data.dtype != self._data.dtype:   # (the cast is checked first)
            promoted = _dtype.result_type(self, other)
            if promoted._category > self.dtype._category:
                raise RuntimeError(f"result type {scalar_type_name(promoted)} can't be cast to the desired output "
                                   f"type {scalar_type_name(self.dtype)}")
        if isinstance(other, Tensor) and other._data.shape != self._data.shape:   # (shapes before the dtype)
            check_broadcast(self._data, other._data)
            shape = np.broadcast_shapes(self._data.shape, other._data.shape)
            if shape != self._data.shape:
                raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                                   f"{list(shape)}")
        result = op(self, other)
        if result.shape != self.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(result.shape)}")
        if result._data.dtype != self._data.dtype:
            raise RuntimeError(f"result type {scalar_type_name(result.dtype)} can't be cast to the desired output "
                               f"type {scalar_type_name(self.dtype)}")
        self._check_inplace()
        self._data[...] = result._data
        self._vc[0] += 1
        return self
    in_place.__name__ = in_place.__qualname__ = name + "_"
    return op, in_place


gcd, gcd_ = _integer_binary("gcd", np.gcd)
lcm, lcm_ = _integer_binary("lcm", np.lcm)


def positive(input: Tensor) -> Tensor:
    """``+x``: the tensor itself (refused for bool, as torch)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """dot of two 1-D tensors, conjugating the first (a no-op for real tensors), with dot's checks."""
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{scalar_type_name(input.dtype)} and {scalar_type_name(other.dtype)}")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    out = np.asarray(quiet(np.dot)(a, b), a.dtype)
    if a.dtype.kind != "f":
        return Tensor._make(out, False, None)
    return record(VdotBackward0, out, (input, other), self=input, other=other)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """ATen's: ``input * other`` when either is 0-d, else tensordot over both last dims."""
    from .elementwise import mul
    from .linalg_products import tensordot
    if input.dim() == 0 or other.dim() == 0:
        return mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


@argument_types
def dist(input: Tensor, other: Tensor, p: Number = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast), one DistBackward0 node."""
    from .reductions import vector_norm
    _check_subtraction(input, other)   # (torch's dist is norm(input - other): the subtraction's checks first)
    a, b = binary_operands(input, other)
    check_broadcast(a, b)
    diff = Tensor._make(quiet(np.subtract)(*np.broadcast_arrays(a, b)), False, None)
    if diff._data.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{scalar_type_name(diff.dtype)} instead.")
    value = vector_norm(diff, p)._data
    dims = tuple(range(diff._data.ndim))
    return record(DistBackward0, value, (input, other), self=input, other=other, p=float(p), dims=dims)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """Deprecated in torch (warns each call): multi_dot of the matrices, a clone of a single one."""
    from .linalg_products import multi_dot
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=past_checks(2))
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    check_tensor_list(matrices)
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.dim() != 2:
            raise RuntimeError(f"Tensor dimension is {m.dim()}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(list(matrices))


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """ATen's cov (Correlation.cpp), op for op: rows are variables, columns observations."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    if input._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.view(1, -1) if input.dim() < 2 else input
    observations = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", observations)
        if fweights._data.dtype.kind not in "iu":
            raise RuntimeError("cov(): expected fweights to have integral dtype")
        if (fweights._data < 0).any():
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", observations)
        if aweights._data.dtype.kind != "f":
            raise RuntimeError("cov(): expected aweights to have floating point dtype")
        if not (aweights._data >= 0).all():   # (torch's check: a NaN weight is refused too)
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    if w is not None:
        w_sum = w.sum()
        if not (w_sum._data != 0):
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    else:
        w_sum = Tensor._make(np.asarray(observations, np.int64), False, None)
    avg = (x * w if w is not None else x).sum(1) / w_sum
    # the normalization factor, as torch 2.13 builds it (measured graphs: no Sub for correction 0,
    # mul.Scalar by the correction)
    if w is None:
        norm_factor = Tensor._make(np.asarray(observations - correction, np.int64), False, None)
    elif correction == 0:
        norm_factor = w_sum
    elif aweights is None:
        norm_factor = sub_scalar(w_sum, correction) if w_sum.requires_grad else w_sum - correction
    elif fweights is None and observations == 1 and correction == 1:
        norm_factor = Tensor._make(np.asarray(0, np.int64), False, None)
    else:
        norm_factor = w_sum - mul_scalar((w * aweights).sum(), correction) / w_sum
    if (norm_factor._data <= 0).any():
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=past_checks(2))
        norm_factor = norm_factor.zero_()
    if observations == 1 and (fweights is None) != (aweights is None):
        x.zero_()          # torch zeroes the (one-observation) input through its view: the centred matrix
        if x._data.dtype.kind != "f":
            x = x.float()
    else:
        x = x - avg.unsqueeze(1)
    c = x.mm((x * w if w is not None else x).t())   # (.conj() of a real tensor is itself)
    return c.true_divide(norm_factor).squeeze()


def _check_weights(w: Tensor, name: str, observations: int) -> None:
    if w.dim() > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{w.dim()} dimensions")
    if w.numel() != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {w.numel()} != {observations}")


def corrcoef(input: Tensor) -> Tensor:
    """ATen's: cov, divided by the standard deviations along rows and columns, clipped to [-1, 1]."""
    if input.dim() > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.dim()} dimensions")
    c = cov(input)
    if c.dim() == 0:
        return c / c
    stddev = c.diagonal().sqrt()
    c = c / stddev.view(-1, 1)
    c = c / stddev.view(1, -1)
    return c.clip(-1, 1)


methods(fmax=fmax, fmin=fmin, gcd=gcd, gcd_=gcd_, lcm=lcm, lcm_=lcm_, positive=positive, vdot=vdot, inner=inner,
        dist=dist, cov=cov, corrcoef=corrcoef)
