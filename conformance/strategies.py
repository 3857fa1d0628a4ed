"""Hypothesis strategies that draw one op call's arguments (``registry.Example``).

Shapes come from ``hypothesis.extra.numpy`` (0-d tensors, size-1 and size-0 dims, broadcasting,
matmul signatures).  Value domains are part of the strategy (bounds, excluded zones), never an
``assume``/``filter``, and the points where torch's conventions matter (kinks at 0, clamp
bounds, ties between equal elements) are drawn on purpose.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .registry import Example, TensorArg

MAX_DIMS = 4
MAX_SIDE = 4
NP_DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64,
             "int32": np.int32, "int64": np.int64, "bool": np.bool_}


@dataclass(frozen=True)
class Domain:
    """Where an input's values are drawn: [low, high], minus (-gap, gap) around zero when gap > 0,
    with the ``special`` points (kinks, bounds) drawn often on their own."""
    low: float = -4.0
    high: float = 4.0
    gap: float = 0.0
    special: tuple = (0.0,)

    def elements(self, dtype: str) -> st.SearchStrategy:
        width = 16 if dtype == "float16" else 32 if dtype == "float32" else 64
        if self.gap > 0:
            pos = _floats(max(self.gap, self.low), self.high, width) if self.high > self.gap else None
            neg = _floats(self.low, min(-self.gap, self.high), width) if self.low < -self.gap else None
            body = st.one_of(*[s for s in (pos, neg) if s is not None])
        else:
            body = _floats(self.low, self.high, width)
        special = [float(np.asarray(v, NP_DTYPES[dtype])) for v in self.special
                   if self.low <= v <= self.high and abs(v) >= self.gap]
        return st.one_of(body, st.sampled_from(special)) if special else body

    def scalars(self) -> st.SearchStrategy:
        """Python scalars from the domain: small ints (where they fit) and floats."""
        ints = [i for i in range(-3, 4) if self.low <= i <= self.high and abs(i) >= max(self.gap, 1e-12)]
        floats = _floats(max(self.low, -1e6), min(self.high, 1e6), 32).filter(lambda v: abs(v) >= self.gap) \
            if self.gap else _floats(self.low, self.high, 32)
        return st.one_of(floats, st.sampled_from(ints)) if ints else floats


def _floats(low: float, high: float, width: int) -> st.SearchStrategy:
    """Floats in [low, high] whose bounds are representable at ``width`` bits (Hypothesis requires it)."""
    np_type = {16: np.float16, 32: np.float32, 64: np.float64}[width]
    lo, hi = np_type(low), np_type(high)
    if lo < low:
        lo = np.nextafter(lo, np_type(np.inf))
    if hi > high:
        hi = np.nextafter(hi, np_type(-np.inf))
    return st.floats(float(lo), float(hi), width=width, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False)


def real(low: float = -4.0, high: float = 4.0, special=(0.0,)) -> Domain:
    return Domain(low, high, 0.0, tuple(special))


def positive(low: float = 0.05, high: float = 4.0, special=()) -> Domain:
    return Domain(low, high, 0.0, tuple(special))


def nonzero(bound: float = 4.0, gap: float = 0.1, special=()) -> Domain:
    return Domain(-bound, bound, gap, tuple(special))


def open_unit(margin: float = 0.05) -> Domain:
    """(-1, 1) kept ``margin`` away from the ends (asin, acos, atanh)."""
    return Domain(-1 + margin, 1 - margin, 0.0, (0.0,))


# ----- arrays ---------------------------------------------------------------------------------

def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 0, max_side: int = MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def arrays(dtype: str, shape, domain: Domain = real(), ties: bool = False) -> st.SearchStrategy:
    """An array of ``shape`` over ``domain``; with ``ties``, values repeat on purpose (max/min/sort)."""
    elements = domain.elements(dtype)
    if ties:
        return st.lists(elements, min_size=1, max_size=3).flatmap(
            lambda pool: hnp.arrays(NP_DTYPES[dtype], shape, elements=st.sampled_from(pool)))
    return hnp.arrays(NP_DTYPES[dtype], shape, elements=elements)


def grad_flags(n: int) -> st.SearchStrategy:
    """Which of ``n`` tensor inputs require grad: mostly all, sometimes some not, never none."""
    patterns = [tuple(True for _ in range(n))] + [tuple(j != i for j in range(n)) for i in range(n)] if n > 1 \
        else [(True,)]
    return st.sampled_from(patterns)


def dims_for(ndim: int, allow_tuple: bool = True, allow_empty: bool = True) -> st.SearchStrategy:
    """A ``dim`` argument valid for ``ndim``: an int (negative too), a tuple of distinct dims, or ()."""
    n = max(ndim, 1)
    single = st.integers(-n, n - 1)
    options = [single]
    if allow_tuple and ndim:
        options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
            lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds])))
    if allow_empty:
        options.append(st.just(()))
    return st.one_of(*options)


# ----- examples for common shape families ---------------------------------------------------

def unary(domain: Domain = real(), ties: bool = False, min_side: int = 0, **kwargs_strategies):
    """One tensor; optional keyword arguments each drawn from the given strategy."""
    def build(dtype: str):
        return st.builds(lambda x, kw: Example((TensorArg(x),), kw),
                         arrays(dtype, shapes(min_side=min_side), domain, ties),
                         st.fixed_dictionaries(kwargs_strategies))
    return build


def binary(domain: Domain = real(), other: Domain | None = None, scalars: bool = True,
           tensor_other: bool = True, **kwargs_strategies):
    """Two broadcastable operands; the second is sometimes a Python scalar (reflected forms swap it in
    front).  ``other`` is the second operand's domain (defaults to ``domain``)."""
    other = other or domain

    def build(dtype: str):
        def tensor_pair(shapes_and_flags):
            (sa, sb), flags = shapes_and_flags
            return st.tuples(arrays(dtype, sa, domain), arrays(dtype, sb, other)).map(
                lambda ab: Example((TensorArg(ab[0], flags[0]), TensorArg(ab[1], flags[1]))))
        pairs = st.tuples(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=MAX_DIMS,
                                                            max_side=MAX_SIDE).map(lambda r: r.input_shapes),
                          grad_flags(2)).flatmap(tensor_pair)
        with_scalar = st.tuples(arrays(dtype, shapes(), domain), other.scalars()).map(
            lambda xs: Example((TensorArg(xs[0]), xs[1])))
        options = ([pairs] if tensor_other else []) + ([with_scalar] if scalars else [])
        examples = st.one_of(*options)
        if kwargs_strategies:
            examples = st.tuples(examples, st.fixed_dictionaries(kwargs_strategies)).map(
                lambda ek: Example(ek[0].args, {**ek[0].kwargs, **ek[1]}))
        return examples
    return build


def nary(n: int, domains: tuple | None = None, **kwargs_strategies):
    """``n`` mutually broadcastable tensors (where, lerp, addcmul), each over its domain."""
    domains = domains or (real(),) * n

    def build(dtype: str):
        def make(shapes_and_flags):
            shape_list, flags = shapes_and_flags
            return st.tuples(*[arrays(dtype, s, d) for s, d in zip(shape_list, domains)],
                             st.fixed_dictionaries(kwargs_strategies)).map(
                lambda xs: Example(tuple(TensorArg(a, f) for a, f in zip(xs[:-1], flags)), xs[-1]))
        return st.tuples(hnp.mutually_broadcastable_shapes(num_shapes=n, max_dims=MAX_DIMS, max_side=MAX_SIDE)
                         .map(lambda r: r.input_shapes), grad_flags(n)).flatmap(make)
    return build


def reduction(domain: Domain = real(), ties: bool = False, dim: bool = True, keepdim: bool = True,
              full: bool = True, allow_tuple: bool = True, allow_empty_dim: bool = True, min_side: int = 0,
              **kwargs_strategies):
    """One tensor reduced over everything (no dim argument) or over a drawn ``dim``, with ``keepdim``.

    The two are different overloads in torch (SumBackward0 vs SumBackward1), so both are drawn.
    """
    def build(dtype: str):
        def with_dims(x):
            options = []
            if full:
                options.append(st.fixed_dictionaries(kwargs_strategies))
            if dim:
                dim_kw = {"dim": dims_for(x.ndim, allow_tuple, allow_empty_dim)}
                if keepdim:
                    dim_kw["keepdim"] = st.booleans()
                options.append(st.fixed_dictionaries({**dim_kw, **kwargs_strategies}))
            return st.one_of(*options).map(lambda kw: Example((TensorArg(x),), kw))
        return arrays(dtype, shapes(min_side=min_side), domain, ties).flatmap(with_dims)
    return build


def matmul(signature: str = "(m,n),(n,p)->(m,p)", max_dims: int = MAX_DIMS, domain: Domain = real()):
    """Two operands whose core dims follow ``signature``; batch dims broadcast (NumPy's gufunc rules)."""
    def build(dtype: str):
        def make(shapes_and_flags):
            (sa, sb), flags = shapes_and_flags
            return st.tuples(arrays(dtype, sa, domain), arrays(dtype, sb, domain)).map(
                lambda ab: Example((TensorArg(ab[0], flags[0]), TensorArg(ab[1], flags[1]))))
        return st.tuples(hnp.mutually_broadcastable_shapes(signature=signature, max_dims=max_dims,
                                                           max_side=MAX_SIDE).map(lambda r: r.input_shapes),
                         grad_flags(2)).flatmap(make)
    return build
