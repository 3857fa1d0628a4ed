"""Records for the rest of the tensor API (issue 13): quantile and nanquantile (torch's composite over
sort, gather and lerp_, reshaped in place); the in-place comparisons (eq_ ... ge_ and their aliases), logical
and bitwise ops; the in-place view ops (t_, transpose_, swapdims_, swapaxes_, squeeze_, unsqueeze_, as_strided_);
fill_diagonal_, addmm_, sum_to_size, the hardshrink and prelu methods, unsafe_split / unsafe_split_with_sizes /
unsafe_chunk; renorm / renorm_; as_strided_scatter.

Values are drawn distinct: torch's sort under the composite is not stable past 32 elements (measured:
``torch.sort(torch.zeros(36)).indices`` starts 27, 19, 20), so which of equal values the gather picks,
and where the gradient lands, is its sort's internals; the values agree either way.  The "(nan)" rows
draw NaN: quantile gives NaN for a slice holding one, nanquantile skips them (NaN for an all-NaN slice).
"""
from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, binary, nonzero, shapes, unary
from .linalg import operands
from .nn import NAN_GRAD_BY_POSITION
from .nn_activations import _prelu_args, _shrink
from .predicates import INTEGERS, SHIFTED, SPECIAL, TESTED, shifts
from .shape import _chunk_args, _none, _split_args, _squeeze_args, _two_dims, _unsqueeze_dim, one, with_ones
from .shape_more import _as_strided, with_tensor
from .sorting import NAN_DOMAIN, REAL, dim_of, one_tensor

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


# (measured: torch.sort(x) puts a slice's NaNs in index order up to 16 elements, in another order past that;
# quantile reads the last one, so which NaN gets the gradient is its unstable sort's choice)
NAN_TIES_BY_SORT = (("hostile", "torch's quantile sorts unstably: past 16 elements the order of tied NaNs, and so "
                                "which one the gradient reaches, is its sort algorithm's"),)


def _quantile_args(x):
    """q a Python float, a 0-d or a 1-D tensor (of the input's dtype); dim None or one; keepdim; a mode."""
    dtype = x.dtype
    probability = st.floats(0.0, 1.0, width=32)
    q = st.one_of(probability,
                  probability.map(lambda p: TensorArg(np.asarray(p, dtype), False)),
                  st.lists(probability, min_size=1, max_size=4).map(lambda ps: TensorArg(np.asarray(ps, dtype),
                                                                                          False)))
    return st.tuples(q, st.one_of(st.none(), dim_of(x)), st.booleans(), st.sampled_from(INTERPOLATIONS)).map(
        lambda a: ((a[0],), {"dim": a[1], "keepdim": a[2], "interpolation": a[3]}))


def _quantile_errors(example: Example) -> list:
    """torch's refusals: q out of [0, 1] (a float, a tensor), q of another dtype, a 2-d q, an empty input,
    an unknown interpolation, an integer input."""
    x, q = example.args[0], example.args[1]
    kw = example.kwargs
    other = np.float64 if x.array.dtype == np.float32 else np.float32
    with np.errstate(all="ignore"):   # (hostile values: NaN and inf have no integer; the harness raises on casts)
        ints = np.trunc(np.clip(np.nan_to_num(x.array), -100, 100)).astype(np.int64)
    return [
        ("q above 1", Example((x, 1.5), kw)),
        ("q below 0", Example((x, -0.25), kw)),
        ("a q tensor value out of range", Example((x, TensorArg(np.asarray([0.5, 2.0], x.array.dtype), False)), kw)),
        ("q of another dtype", Example((x, TensorArg(np.asarray([0.5], other), False)), kw)),
        ("a 2-d q", Example((x, TensorArg(np.full((1, 2), 0.5, x.array.dtype), False)), kw)),
        ("an empty input", Example((TensorArg(np.zeros((0, 2), x.array.dtype)), q), {**kw, "dim": None})),
        ("an unknown interpolation", Example((x, q), {**kw, "interpolation": "cubic"})),
        ("an integer input", Example((TensorArg(ints, False), 0.5), kw)),
    ]


RECORDS = [
    Record("quantile", one_tensor(_quantile_args, REAL, distinct=True), error_inputs=_quantile_errors),
    Record("quantile", one_tensor(_quantile_args, NAN_DOMAIN, distinct=True), label="quantile (nan)",
           dtypes=("float64",), unchecked=NAN_TIES_BY_SORT),
    Record("nanquantile", one_tensor(_quantile_args, REAL, distinct=True), error_inputs=_quantile_errors),
    Record("nanquantile", one_tensor(_quantile_args, NAN_DOMAIN, distinct=True), label="nanquantile (nan)",
           dtypes=("float64",)),
]

# In place on a float tensor that requires grad (a clone, as the inplace form calls it): a comparison records
# EqBackward0/1 ... (zero gradients to self and other); a logical op records nothing, so the gradient flows
# through the clone as if the op had not happened (torch's).  Integer and bool tensors keep their dtype.
INPLACE = dict(forms=("inplace",))
# (measured: [[1.375, 1.625]] @ [[1.8e308], [-1.8e308]] is NaN in torch's BLAS and inf in NumPy's, whose fused
# multiply-add adds the second product to the first's inf unrounded)
BLAS_OVERFLOW = (("hostile", "products that overflow in a matrix product: inf or NaN as the BLAS kernel's order and "
                             "fused multiply-adds have it (torch's MKL and NumPy's OpenBLAS differ)"),)
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
ALIASES = ("greater", "greater_equal", "less", "less_equal", "not_equal")
LOGICAL = ("logical_and", "logical_or", "logical_xor")
BITWISE = ("bitwise_and", "bitwise_or", "bitwise_xor")

RECORDS += [
    *[Record(name, binary(SPECIAL), label=f"{name}_", **INPLACE) for name in COMPARISONS],
    *[Record(name, binary(SPECIAL), label=f"{name}_ (integer)", dtypes=INTEGERS, grad=False, **INPLACE)
      for name in COMPARISONS],
    *[Record(name, binary(SPECIAL), label=f"{name}_", dtypes=("float32",), **INPLACE) for name in ALIASES],
    *[Record(name, binary(SPECIAL, scalars=False), label=f"{name}_", **INPLACE) for name in LOGICAL],
    *[Record(name, binary(SPECIAL, scalars=False), label=f"{name}_ (integer)", dtypes=INTEGERS, grad=False,
             **INPLACE) for name in LOGICAL],
    Record("logical_not", unary(SPECIAL), label="logical_not_", **INPLACE),
    Record("logical_not", unary(SPECIAL), label="logical_not_ (integer)", dtypes=INTEGERS, grad=False, **INPLACE),
    *[Record(name, binary(SHIFTED), label=f"{name}_", dtypes=INTEGERS, grad=False, **INPLACE) for name in BITWISE],
    *[Record(name, binary(SHIFTED), label=f"{name}_ (float)", dtypes=("float32",), grad=False, raises=True,
             **INPLACE) for name in BITWISE],
    Record("bitwise_not", unary(SHIFTED), label="bitwise_not_", dtypes=INTEGERS, grad=False, **INPLACE),
    Record("bitwise_not", unary(SHIFTED), label="bitwise_not_ (float)", dtypes=("float32",), grad=False, raises=True,
           **INPLACE),
    *[Record(name, shifts, label=f"{name}_", dtypes=("int64", "int32"), grad=False, **INPLACE)
      for name in ("bitwise_left_shift", "bitwise_right_shift")],
    Record("eq", binary(SPECIAL), label="eq_ (mixed dtypes)", dtypes=TESTED, grad=False, **INPLACE),
]

# In place on a view-free clone: the clone takes the new geometry and the op's in-place node (TBackward1,
# TransposeBackward1, SqueezeBackward3/4/5, UnsqueezeBackward1, AsStridedBackward1) over CloneBackward0.
RECORDS += [
    Record("t", one(_none, max_dims=2), label="t_", **INPLACE),
    Record("transpose", one(_two_dims), label="transpose_", **INPLACE),
    Record("swapdims", one(_two_dims), label="swapdims_", **INPLACE),
    Record("swapaxes", one(_two_dims), label="swapaxes_", **INPLACE),
    Record("squeeze", with_ones(_squeeze_args), label="squeeze_", **INPLACE),
    Record("unsqueeze", one(_unsqueeze_dim), label="unsqueeze_", **INPLACE),
    Record("as_strided", with_tensor(_as_strided, min_dims=1, min_side=1), label="as_strided_", **INPLACE),
]


def _fill_diagonal_args(shape):
    """A fill value and wrap (the input: a matrix, tall ones wrapping, or a cube whose sides torch requires
    equal; other shapes are refused as torch does)."""
    return st.tuples(st.sampled_from([0.0, -1.5, 2.0]), st.booleans()).map(lambda fw: (fw, {}))


def _sum_to_size_args(shape):
    """A size ``shape`` is expandable to: leading dims dropped, others kept or made 1 (now and then a size it is
    not expandable to, or an empty one)."""
    def pick(choice):
        lead, ones = choice
        target = [1 if one else n for n, one in zip(shape[lead:], ones)]
        return ((tuple(target),), {})
    n = len(shape)
    good = st.integers(0, n).flatmap(lambda lead: st.tuples(
        st.just(lead), st.lists(st.booleans(), min_size=n - lead, max_size=n - lead)).map(pick))
    return st.one_of(good, st.just(((tuple(k + 2 for k in shape),), {})), st.just((((),), {})))


def _as_method(record: Record, label: str) -> Record:
    return dataclasses.replace(record, namespace="", forms=("method",), label=label)


_INT_SPLIT = one(lambda shape: _split_args(shape).filter(lambda a: isinstance(a[0][0], int)), min_dims=1)
_SIZES_SPLIT = one(lambda shape: _split_args(shape).filter(lambda a: not isinstance(a[0][0], int)), min_dims=1)

RECORDS += [
    Record("fill_diagonal", one(_fill_diagonal_args, min_dims=2, max_dims=3), label="fill_diagonal_", **INPLACE),
    Record("addmm", operands("(m,p),(m,n),(n,p)->(m,p)"), label="addmm_", unchecked=BLAS_OVERFLOW, **INPLACE),
    Record("sum_to_size", one(_sum_to_size_args), forms=("method",)),
    _as_method(_shrink("hardshrink", unchecked=NAN_GRAD_BY_POSITION), "hardshrink (method)"),
    _as_method(Record("prelu", _prelu_args(nonzero())), "prelu (method)"),
    Record("unsafe_split", _INT_SPLIT, output="tuple"),
    Record("unsafe_split_with_sizes", _SIZES_SPLIT, output="tuple"),
    Record("unsafe_chunk", one(_chunk_args, min_dims=1), output="tuple"),
]


def _renorm_args(shape):
    """p (1, 2, a fraction, inf, a bad 0), the dim, maxnorm (0, small, large, a bad negative one)."""
    n = max(len(shape), 1)
    return st.tuples(st.sampled_from([2, 1, 0.5, 3, float("inf"), 0]), st.integers(-n, n - 1),
                     st.sampled_from([0.5, 1.0, 0.0, 10.0, -1.0])).map(lambda a: (a, {}))


RECORDS += [
    Record("renorm", one(_renorm_args, min_dims=1), forms=("function", "method", "inplace")),
]


def _as_strided_scatters(dtype: str):
    """An input, as_strided's size/stride(/offset) over its storage (now and then out of bounds or overlapping:
    torch's refusals), and a src of that size (now and then one element short)."""
    @st.composite
    def draw_example(draw):
        x = draw(arrays(dtype, draw(shapes(min_dims=1, max_dims=3, min_side=1)), REAL))
        (size, stride, *offset), _ = draw(_as_strided(x.shape))
        src_shape = tuple(size)
        if src_shape and draw(st.integers(0, 7)) == 0:
            src_shape = (max(src_shape[0] - 1, 0),) + src_shape[1:]
        src = draw(arrays(dtype, src_shape, REAL))
        return Example((TensorArg(x), TensorArg(src), tuple(size), tuple(stride), *offset))
    return draw_example()


RECORDS += [
    Record("as_strided_scatter", _as_strided_scatters),
]
