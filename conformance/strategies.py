"""Hypothesis strategies that draw one op call's arguments (``registry.Example``).

Shapes come from ``hypothesis.extra.numpy`` (0-d tensors, size-1 and size-0 dims, broadcasting,
matmul signatures).  Value domains are part of the strategy (bounds, excluded zones), never an
``assume``/``filter``, and the points where torch's conventions matter (kinks at 0, clamp
bounds, ties between equal elements) are drawn on purpose.
"""
from __future__ import annotations

import contextvars
import dataclasses
import functools
import os
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.internal.conjecture.utils import _calc_p_continue, many

from .hostile_pending import HOSTILE_PENDING
from .registry import Example, TensorArg

MAX_DIMS = 4
MAX_SIDE = 4
NP_DTYPES = {"float16": np.float16, "float32": np.float32, "float64": np.float64, "uint8": np.uint8,
             "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "bool": np.bool_}


@dataclass(frozen=True)
class Domain:
    """Where an input's values are drawn: [low, high], minus (-gap, gap) around zero when gap > 0,
    with the ``special`` points (kinks, bounds) drawn often on their own."""
    low: float = -4.0
    high: float = 4.0
    gap: float = 0.0
    special: tuple = (0.0,)
    # mix in hostile_values(dtype) now and then: None follows the record (every record does, unless its
    # ``unchecked`` says why not or which), False never (a domain that must stay finite), True always (all of
    # them), or the name of a narrowed set (HOSTILE_SETS)
    hostile: bool | str | None = None

    def _key(self) -> tuple:
        # -0.0 == 0.0, but a special point at -0.0 is not one at 0.0: the strategies are cached by domain
        return type(self), self.low, self.high, self.gap, tuple(map(repr, self.special)), self.hostile

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Domain) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def elements(self, dtype: str) -> st.SearchStrategy:
        """Array elements of ``dtype``: floats as above; integers and bools over the same range."""
        if dtype == "bool":
            return st.booleans()
        if dtype.startswith("int") or dtype.startswith("uint"):
            info = np.iinfo(NP_DTYPES[dtype])
            low, high = max(int(np.ceil(self.low)), int(info.min)), min(int(np.floor(self.high)), int(info.max))
            if self.gap > 0:
                nearest = int(np.ceil(self.gap)) if high >= self.gap else -int(np.ceil(self.gap))
                return st.integers(low, high).map(lambda i: i if abs(i) >= self.gap else nearest)
            return st.integers(low, high)
        width = 16 if dtype == "float16" else 32 if dtype == "float32" else 64
        body = self._body(width)
        special = [float(np.asarray(v, NP_DTYPES[dtype])) for v in self.special
                   if self.low <= v <= self.high and abs(v) >= self.gap]
        core = st.one_of(body, st.sampled_from(special)) if special else body
        if not self.draws_hostile():
            return core
        # now and then a value no domain contains (NaN, ±inf, -0.0, subnormals, the extremes): one more
        # branch of the flattened one_of, as likely as each of the core's
        return st.one_of(core, st.sampled_from(hostile_values(dtype, self.hostile_set())))

    def draws_hostile(self) -> bool:
        """Whether this domain's floats mix in hostile values (the record allows it, the domain does not refuse)."""
        return bool(self.hostile_set())

    def hostile_set(self) -> str:
        """Which hostile values this domain's floats mix in: a key of HOSTILE_SETS, or "" for none."""
        if self.hostile is None:
            return HOSTILE.get()
        return "all" if self.hostile is True else self.hostile or ""

    def scalars(self) -> st.SearchStrategy:
        """Python scalars from the domain: small ints (where they fit), the special points, and floats."""
        ints = [i for i in range(-3, 4) if self.low <= i <= self.high and abs(i) >= self.gap and (i or not self.gap)]
        special = [float(v) for v in self.special if self.low <= v <= self.high and abs(v) >= self.gap]
        options = [self._body(32)] + ([st.sampled_from(ints)] if ints else []) + \
            ([st.sampled_from(special)] if special else [])
        return st.one_of(*options)

    def _body(self, width: int) -> st.SearchStrategy:
        """Floats over [low, high] minus the gap, as one or two ranges (never a filter)."""
        return st.one_of(*[_floats(low, high, width) for low, high in _body_spans(self)])


def _body_spans(domain: Domain) -> list[tuple[float, float]]:
    """[low, high] minus (-gap, gap): one range, or the positive then the negative one."""
    if domain.gap <= 0:
        return [(domain.low, domain.high)]
    return [span for span, present in (((max(domain.gap, domain.low), domain.high), domain.high >= domain.gap),
                                       ((domain.low, min(-domain.gap, domain.high)), domain.low <= -domain.gap))
            if present]


# Which hostile values the record being drawn allows (a key of HOSTILE_SETS, "" for none); read while
# drawing.  Every record draws them all but the rows of HOSTILE_PENDING (mygrad's own differences there, left
# to fix) and the records unchecked for "hostile" (none) or for one of the narrowed sets (torch's own answer
# not reproducible there, with the reason).  CONFORMANCE_HOSTILE=1 in the environment turns them on for the
# pending rows too (workers inherit it), to see what is left.
EVERY_RECORD_HOSTILE = os.environ.get("CONFORMANCE_HOSTILE", "0") == "1"
DEFAULT_HOSTILE = "all" if EVERY_RECORD_HOSTILE else ""
HOSTILE: contextvars.ContextVar[str] = contextvars.ContextVar("HOSTILE", default=DEFAULT_HOSTILE)
# The hostile values a record draws, by what its ``unchecked`` opts out of: "all"; "hostile: overflow" keeps
# NaN, ±inf, -0.0 and the tiny values but not the largest finite ones (a sum of products that overflows is inf
# or NaN by the order its kernel adds in, BLAS's or oneDNN's: torch's own build decides); "hostile: non-finite"
# keeps -0.0 and the tiny values only (NaN and inf through a pivoted LAPACK factorization: where they spread
# is the LAPACK build's, MKL's here, another with OpenBLAS); "hostile: rounding" keeps NaN, ±inf and -0.0 but
# neither the tiny nor the largest values (a tiny pivot's reciprocal, ~1e308, or the extremes scale a kernel's
# last-bit rounding, MKL's trsm's, into a cancellation whose residue or overflow is that rounding's);
# "hostile: pivoting" keeps NaN and -0.0 only (an inf, too, moves a pivoted factorization's pivots onto small
# entries, whose reciprocals do the same).
HOSTILE_SETS = {"all": ("nan", "inf", "-0", "tiny", "max"), "hostile: overflow": ("nan", "inf", "-0", "tiny"),
                "hostile: non-finite": ("-0", "tiny"), "hostile: rounding": ("nan", "inf", "-0"),
                "hostile: pivoting": ("nan", "-0")}


def hostile(domain: Domain) -> Domain:
    """``domain`` with NaN, ±inf, -0.0, subnormals and the extremes mixed in now and then, whatever the record."""
    return dataclasses.replace(domain, hostile=True)


def finite(domain: Domain) -> Domain:
    """``domain`` without hostile values (an argument that must stay finite, e.g. a size or a bound)."""
    return dataclasses.replace(domain, hostile=False)


def _resolved(domain: Domain) -> Domain:
    """``domain`` with its hostile flag fixed for the record being drawn (so cached strategies differ)."""
    if domain.hostile is None and isinstance(domain, Domain) and dataclasses.is_dataclass(domain):
        return dataclasses.replace(domain, hostile=HOSTILE.get())
    return domain


class _Drawing(st.SearchStrategy):
    """Draws ``inner`` with hostile values switched on or off (the record's choice, ``draws_hostile``): the
    builders' ``flatmap``s draw their domains later, inside this."""

    def __init__(self, inner: st.SearchStrategy, hostile: str):
        super().__init__()
        self.inner, self.hostile = inner, hostile

    def do_draw(self, data):
        token = HOSTILE.set(self.hostile)
        try:
            return data.draw(self.inner)
        finally:
            HOSTILE.reset(token)


def draws_hostile(record) -> str:
    """Which hostile values ``record``'s floats mix in (a key of HOSTILE_SETS; "" for none): those it is not
    unchecked for (torch itself inconsistent there, with the reason), if it is a registry record (``family``
    set: records of your own opt in domain by domain, with ``hostile(...)``) and not a pending row (or the
    switch is on)."""
    if record.opts_out("hostile") or not (EVERY_RECORD_HOSTILE or bool(record.family)
                                          and record.row not in HOSTILE_PENDING):
        return ""
    return next((narrowed for narrowed in HOSTILE_SETS if record.opts_out(narrowed)), "all")


def hostile_values(dtype: str, which: str = "all") -> list:
    """The values that break kernels: NaN, ±inf, -0.0, the smallest subnormal, the smallest normal and the
    largest finite value of ``dtype``, each sign; ``which`` (a key of HOSTILE_SETS) narrows them."""
    info = np.finfo(NP_DTYPES[dtype])
    tiny = float(np.nextafter(NP_DTYPES[dtype](0), NP_DTYPES[dtype](1)))
    values = {"nan": [float("nan")], "inf": [float("inf"), float("-inf")], "-0": [-0.0],
              "tiny": [tiny, -tiny, float(info.smallest_normal), -float(info.smallest_normal)],
              "max": [float(info.max), float(info.min)]}
    return [v for kind in HOSTILE_SETS[which] for v in values[kind]]


def _representable(low: float, high: float, width: int) -> tuple[float, float]:
    """[low, high] narrowed to bounds representable at ``width`` bits (Hypothesis requires it)."""
    np_type = {16: np.float16, 32: np.float32, 64: np.float64}[width]
    lo, hi = np_type(low), np_type(high)
    if lo < low:
        lo = np.nextafter(lo, np_type(np.inf))
    if hi > high:
        hi = np.nextafter(hi, np_type(-np.inf))
    return float(lo), float(hi)


def _floats(low: float, high: float, width: int) -> st.SearchStrategy:
    """Floats in [low, high] (narrowed to representable bounds), no NaN, inf or subnormals."""
    lo, hi = _representable(low, high, width)
    return st.floats(lo, hi, width=width, allow_nan=False, allow_infinity=False,  # type: ignore[arg-type]
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

EMPTY_ODDS = 12   # about one side in EMPTY_ODDS is 0 where empty tensors are allowed


def _side(min_side: int, max_side: int) -> st.SearchStrategy:
    """One dimension's size: 0 now and then (when allowed), else uniform in [max(min_side, 1), max_side]."""
    low = max(min_side, 1)
    span = max_side - low + 1
    if min_side > 0 or max_side < 1:
        return st.integers(min_side, max_side)
    return st.integers(0, (EMPTY_ODDS - 1) * span).map(lambda i: 0 if i == 0 else low + (i - 1) % span)


def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 0, max_side: int = MAX_SIDE):
    """Array shapes of 0 to ``max_dims`` dims; with ``min_side=0`` some sizes are 0, but not most."""
    return st.lists(_side(min_side, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def _maybe_empty(shape_list: tuple, choice: int, axis: int) -> tuple:
    """Now and then (choice == 0) make one broadcast axis (counted from the right) size 0 in every shape
    that is not 1 there, so the shapes still broadcast and the result is empty."""
    ndim = max((len(s) for s in shape_list), default=0)
    if choice or not ndim:
        return tuple(shape_list)
    k = axis % ndim + 1
    hits = [i for i, s in enumerate(shape_list) if len(s) >= k and s[-k] != 1] or \
        [i for i, s in enumerate(shape_list) if len(s) >= k][:1]
    out = [list(s) for s in shape_list]
    for i in hits:
        out[i][-k] = 0
    return tuple(tuple(s) for s in out)


def _empty_core(shape_list: tuple, signature: str, choice: int, pick: int) -> tuple:
    """Like ``_maybe_empty`` for a gufunc signature: one named core dimension becomes 0 everywhere."""
    cores = [[d for d in part.split(",") if d] for part in re.findall(r"\(([^)]*)\)", signature.split("->")[0])]
    names = sorted({d for core in cores for d in core})
    if choice or not names:
        return tuple(shape_list)
    name = names[pick % len(names)]
    out = []
    for shape, core in zip(shape_list, cores):
        shape = list(shape)
        for j, d in enumerate(core):
            if d == name:
                shape[len(shape) - len(core) + j] = 0
        out.append(tuple(shape))
    return tuple(out)


def arrays(dtype: str, shape, domain: Domain = real(), ties: bool = False,
           distinct: bool = False) -> st.SearchStrategy:
    """An array of ``shape`` over ``domain``; with ``ties``, values repeat on purpose (max/min/sort);
    with ``distinct``, no two elements are equal.

    The strategy is made once per distinct arguments and reused: builders call this inside
    ``flatmap`` for every drawn shape, and a fresh strategy object costs Hypothesis a validation
    per draw (the largest part of the harness's drawing time before)."""
    domain = _resolved(domain)
    try:
        return _arrays(dtype, shape, domain, ties, distinct)
    except TypeError:   # an unhashable argument (a domain with list fields): make it afresh
        return _arrays.__wrapped__(dtype, shape, domain, ties, distinct)


@functools.lru_cache(maxsize=8192)
def _arrays(dtype: str, shape, domain: Domain, ties: bool, distinct: bool) -> st.SearchStrategy:
    elements = _elements(domain, dtype)
    if ties:
        return st.lists(elements, min_size=1, max_size=3).flatmap(
            lambda pool: hnp.arrays(NP_DTYPES[dtype], shape, elements=st.sampled_from(pool)))
    if not distinct and type(domain).elements is Domain.elements:
        return _Arrays(dtype, shape, _element_sampler(domain, dtype), dense=not elements.has_reusable_values)
    return hnp.arrays(NP_DTYPES[dtype], shape, elements=elements, unique=distinct)


def _element_sampler(domain: Domain, dtype: str):
    """``sample(data)``: one element of ``domain.elements(dtype)`` made from the same primitive choices
    that strategy makes (the branch of its flattened ``one_of``, the index into a ``sampled_from``, the
    float or the integer), so the values drawn and their shrinking are those of the strategy; but
    without its nested draws, whose spans and bookkeeping cost several times the choice itself (the
    harness draws tens of elements per example).  ``tests/test_strategies.py`` checks they agree."""
    np_type = NP_DTYPES[dtype]
    if dtype == "bool":
        return lambda data: data.draw_boolean()
    if dtype.startswith("int") or dtype.startswith("uint"):
        info = np.iinfo(np_type)
        low, high = max(int(np.ceil(domain.low)), int(info.min)), min(int(np.floor(domain.high)), int(info.max))
        weights = {low: 2 / 128, low + 1: 1 / 128, high - 1: 1 / 128, high: 2 / 128} if high - low > 127 else None
        if domain.gap > 0:
            nearest = int(np.ceil(domain.gap)) if high >= domain.gap else -int(np.ceil(domain.gap))
            return lambda data: (lambda i: i if abs(i) >= domain.gap else nearest)(
                data.draw_integer(low, high, weights=weights))
        return lambda data: data.draw_integer(low, high, weights=weights)
    width = 16 if dtype == "float16" else 32 if dtype == "float32" else 64
    smallest = float(np.finfo(np_type).smallest_normal)
    # the branches of the flattened one_of (Hypothesis keeps a repeated branch once): each float range
    # of the body, the special points, the hostile values; a sampled_from of one value is a ``just``
    body = [("range", _representable(low, high, width)) for low, high in _body_spans(domain)]
    special = [float(np.asarray(v, np_type)) for v in domain.special
               if domain.low <= v <= domain.high and abs(v) >= domain.gap]
    branches = body + ([("pick", special)] if special else []) + \
        ([("pick", hostile_values(dtype, domain.hostile_set()))] if domain.draws_hostile() else [])

    def sample(data) -> float:
        kind, value = branches[data.draw_integer(0, len(branches) - 1)] if len(branches) > 1 else branches[0]
        if kind == "pick":
            return value[data.draw_integer(0, len(value) - 1)] if len(value) > 1 else value[0]
        x = data.draw_float(value[0], value[1], allow_nan=False, smallest_nonzero_magnitude=smallest)
        return x if width == 64 else float(np_type(x))
    return sample


class _Arrays(st.SearchStrategy):
    """``hnp.arrays(dtype, shape, elements)`` with the elements from ``sample(data)`` (``_element_sampler``):
    the same choices in the same order (a shape strategy first; then, as hnp does for elements with
    reusable values, a few assigned positions and one fill value for the rest, else every element)."""

    def __init__(self, dtype: str, shape, sample, dense: bool):
        super().__init__()
        self.np_type, self.sample, self.dense = NP_DTYPES[dtype], sample, dense
        self.shape = (shape,) if isinstance(shape, int) else shape

    def do_draw(self, data):
        shape = self.shape if isinstance(self.shape, tuple) else tuple(data.draw(self.shape))
        size = int(np.prod(shape)) if shape else 1
        if not size:
            return np.zeros(shape, self.np_type)
        sample = self.sample
        if self.dense:
            values = [sample(data) for _ in range(size)]
        else:
            values = [None] * size
            with many(data, min_size=0, max_size=size, average_size=min(0.9 * size, max(10, size ** 0.5))) as chosen:
                for _ in chosen:
                    i = data.draw_integer(0, size - 1)
                    if values[i] is not None:
                        chosen.reject()
                        continue
                    values[i] = sample(data)
            if None in values:
                fill = sample(data)
                values = [fill if v is None else v for v in values]
        with np.errstate(all="ignore"):
            return np.array(values, dtype=self.np_type).reshape(shape)


@functools.lru_cache(maxsize=1024)
def _elements(domain: Domain, dtype: str) -> st.SearchStrategy:
    return domain.elements(dtype)


def _leaves(dtype: str, shape_lists: st.SearchStrategy, domains: tuple) -> st.SearchStrategy:
    """Tensor arguments of the drawn shapes, each over its domain, with drawn requires-grad flags."""
    def make(shapes_and_flags):
        shape_list, flags = shapes_and_flags
        domains_now = tuple(_resolved(d) for d in domains)
        try:
            return _tensors(dtype, tuple(shape_list), domains_now, tuple(flags))
        except TypeError:   # unhashable domains
            return _tensors.__wrapped__(dtype, tuple(shape_list), domains_now, tuple(flags))
    return st.tuples(shape_lists, grad_flags(len(domains))).flatmap(make)


@functools.lru_cache(maxsize=8192)
def _tensors(dtype: str, shape_list: tuple, domains: tuple, flags: tuple) -> st.SearchStrategy:
    """The tensor arguments of ``_leaves`` for one drawn shape list and flags (made once, like ``arrays``)."""
    return st.tuples(*[arrays(dtype, s, d) for s, d in zip(shape_list, domains)]).map(
        lambda xs: Example(tuple(TensorArg(a, f) for a, f in zip(xs, flags))))


def grad_flags(n: int) -> st.SearchStrategy:
    """Which of ``n`` tensor inputs require grad: mostly all, sometimes some not, never none."""
    patterns = [tuple(True for _ in range(n))] + [tuple(j != i for j in range(n)) for i in range(n)] if n > 1 \
        else [(True,)]
    return st.sampled_from(patterns)


@functools.lru_cache(maxsize=256)
def dims_for(ndim: int, allow_tuple: bool = True, allow_empty: bool = True) -> st.SearchStrategy:
    """A ``dim`` argument valid for ``ndim``: an int (negative too), a tuple of distinct dims, or ().
    (Made once per arguments: a fresh strategy costs Hypothesis a validation per draw.)"""
    n = max(ndim, 1)
    single = st.integers(-n, n - 1)
    options: list[st.SearchStrategy[Any]] = [single]
    if allow_tuple and ndim:
        options.append(_SignedDims(ndim))
    if allow_empty:
        options.append(st.just(()))
    return st.one_of(*options)


class _SignedDims(st.SearchStrategy):
    """A tuple of distinct dims of ``ndim``, each written positive or negative: the choices of
    ``lists(integers(0, ndim - 1), unique).flatmap(tuples(sampled_from([d, d - ndim]) ...))``."""

    def __init__(self, ndim: int):
        super().__init__()
        self.ndim = ndim
        self.dims = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)

    def do_draw(self, data) -> tuple:
        return tuple((d, d - self.ndim)[data.draw_integer(0, 1)] for d in data.draw(self.dims))


# ----- examples for common shape families ---------------------------------------------------
#
# The builder protocol: a record's ``example`` is ``build(dtype, form) -> SearchStrategy[Example]``.
# The harness passes the call form, so a builder can draw what that form needs: the reflected
# operator gets a Python scalar in front, an in-place call gets a first operand that already has
# the broadcast shape (plus, now and then, one that does not, so that torch's refusal is checked
# too).  A builder that draws the same for every form may leave ``form`` out of its signature.

def example_for(example, dtype: str, form: str, hostile_values: str = DEFAULT_HOSTILE) -> st.SearchStrategy:
    """The strategy a record's ``example`` builder gives for ``dtype`` and the call form; ``hostile_values``
    (``draws_hostile(record)``): which hostile values its domains mix in while drawing."""
    token = HOSTILE.set(hostile_values)
    try:
        drawn = example(dtype, form) if _takes_form(example) else example(dtype)
    finally:
        HOSTILE.reset(token)
    return drawn if hostile_values == DEFAULT_HOSTILE else _Drawing(drawn, hostile_values)


def _takes_form(build) -> bool:
    import inspect
    try:
        params = list(inspect.signature(build).parameters.values())
    except (TypeError, ValueError):
        return True
    return any(p.kind == p.VAR_POSITIONAL for p in params) or \
        len([p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) >= 2


def _with_kwargs(examples: st.SearchStrategy, kwargs_strategies: dict) -> st.SearchStrategy:
    """Add keyword arguments, each drawn from its strategy, to every example."""
    if not kwargs_strategies:
        return examples
    return st.tuples(examples, st.fixed_dictionaries(kwargs_strategies)).map(
        lambda ek: Example(ek[0].args, {**ek[0].kwargs, **ek[1]}))


def _broadcast_shapes(n: int, form: str | None, signature=None, max_dims: int = MAX_DIMS):
    """Shapes of ``n`` mutually broadcastable operands.  For an in-place call the first operand
    mostly has the result's shape (the only valid case), and sometimes not (torch raises)."""
    if signature is None:
        kwargs: dict[str, Any] = dict(num_shapes=n, min_dims=0, max_dims=max_dims, max_side=MAX_SIDE)
    else:   # max_dims counts every dim; Hypothesis's counts the batch dims only
        core = max(len([d for d in part.split(",") if d])
                   for part in re.findall(r"\(([^)]*)\)", signature.split("->")[0]))
        kwargs = dict(signature=signature, max_dims=max(max_dims - core, 0), max_side=MAX_SIDE)
    drawn = hnp.mutually_broadcastable_shapes(**kwargs) if signature is not None else \
        _BroadcastableShapes(n, max_dims, MAX_SIDE)
    choices = st.integers(0, EMPTY_ODDS - 1), st.integers(0, MAX_DIMS)
    if signature is not None:
        return st.tuples(drawn, *choices).map(lambda rca: _empty_core(rca[0].input_shapes, signature, *rca[1:]))
    general = st.tuples(drawn, *choices).map(lambda rca: _maybe_empty(rca[0].input_shapes, *rca[1:]))
    if form != "inplace":
        return general
    valid = st.tuples(drawn, *choices).map(
        lambda rca: _maybe_empty((rca[0].result_shape,) + tuple(rca[0].input_shapes[1:]), *rca[1:]))
    return st.one_of(valid, valid, valid, general)


class _BroadcastableShapes(st.SearchStrategy):
    """``hnp.mutually_broadcastable_shapes(num_shapes, min_dims=0, max_dims, max_side)``: the same choices
    in the same order (per dim from the right, a side, then per shape 1 or that side and whether the
    shape goes on), made as primitive choices rather than a fresh ``sampled_from`` per shape and dim."""

    def __init__(self, num_shapes: int, max_dims: int, max_side: int):
        super().__init__()
        self.num_shapes, self.max_dims, self.max_side = num_shapes, max_dims, max_side
        self.p_continue = _calc_p_continue(desired_avg=max_dims / 2, max_size=max_dims)

    def do_draw(self, data) -> hnp.BroadcastableShapes:
        result: list[int] = []
        shapes: list[list[int]] = [[] for _ in range(self.num_shapes)]
        use = [True] * self.num_shapes
        for dim in range(self.max_dims):
            dim_side = data.draw_integer(1, self.max_side)
            allowed = sorted([1, dim_side])
            for i, shape in enumerate(shapes):
                side = allowed[data.draw_integer(0, 1)] if dim <= len(result) else dim_side
                use[i] &= data.draw_boolean(self.p_continue)
                if use[i]:
                    shape.append(side)
                    if len(result) < len(shape):
                        result.append(side)
                    elif side != 1 and result[dim] == 1:
                        result[dim] = side
            if not any(use):
                break
        result = result[:max(map(len, shapes))]
        return hnp.BroadcastableShapes(input_shapes=tuple(tuple(reversed(s)) for s in shapes),
                                       result_shape=tuple(reversed(result)))


def unary(domain: Domain = real(), ties: bool = False, min_side: int = 0, **kwargs_strategies):
    """One tensor; optional keyword arguments each drawn from the given strategy."""
    def build(dtype: str, form: str | None = None):
        tensors = arrays(dtype, shapes(min_side=min_side), domain, ties).map(lambda x: Example((TensorArg(x),)))
        return _with_kwargs(tensors, kwargs_strategies)
    return build


def binary(domain: Domain = real(), other: Domain | None = None, scalars: bool = True,
           tensor_other: bool = True, **kwargs_strategies):
    """Two broadcastable operands; the second is sometimes a Python scalar (reflected forms swap it in
    front, and draw only such examples).  ``other`` is the second operand's domain (defaults to ``domain``)."""
    other = other or domain

    def build(dtype: str, form: str | None = None):
        pairs = _leaves(dtype, _broadcast_shapes(2, form), (domain, other))
        with_scalar = st.tuples(arrays(dtype, shapes(), domain), other.scalars()).map(
            lambda xs: Example((TensorArg(xs[0]), xs[1])))
        if form == "roperator":
            options = [with_scalar]
        else:
            options = ([pairs] if tensor_other else []) + ([with_scalar] if scalars else [])
        return _with_kwargs(st.one_of(*options), kwargs_strategies)
    return build


def nary(n: int, domains: tuple | None = None, **kwargs_strategies):
    """``n`` mutually broadcastable tensors (where, lerp, addcmul), each over its domain."""
    domains = domains or (real(),) * n

    def build(dtype: str, form: str | None = None):
        return _with_kwargs(_leaves(dtype, _broadcast_shapes(n, form), domains), kwargs_strategies)
    return build


def reduction(domain: Domain = real(), ties: bool = False, distinct: bool = False, dim: bool = True,
              keepdim: bool = True, full: bool = True, allow_tuple: bool = True, allow_empty_dim: bool = True,
              min_side: int = 0, **kwargs_strategies):
    """One tensor reduced over everything (no dim argument) or over a drawn ``dim``, with ``keepdim``.

    The two are different overloads in torch (SumBackward0 vs SumBackward1), so both are drawn.
    """
    @functools.cache
    def keywords(ndim: int) -> st.SearchStrategy:
        options = []
        if full:
            options.append(st.fixed_dictionaries(kwargs_strategies))
        if dim:
            dim_kw = {"dim": dims_for(ndim, allow_tuple, allow_empty_dim)}
            if keepdim:
                dim_kw["keepdim"] = st.booleans()
            options.append(st.fixed_dictionaries({**dim_kw, **kwargs_strategies}))
        return st.one_of(*options)

    def build(dtype: str, form: str | None = None):
        return _ThenKeywords(arrays(dtype, shapes(min_side=min_side), domain, ties, distinct), keywords)
    return build


class _ThenKeywords(st.SearchStrategy):
    """One tensor, then keyword arguments from ``keywords(its ndim)`` (a strategy made once per ndim):
    the choices of ``tensors.flatmap(lambda x: keywords(x.ndim).map(...))`` without a strategy per draw."""

    def __init__(self, tensors: st.SearchStrategy, keywords):
        super().__init__()
        self.tensors, self.keywords = tensors, keywords

    def do_draw(self, data) -> Example:
        x = data.draw(self.tensors)
        return Example((TensorArg(x),), data.draw(self.keywords(x.ndim)))


def matmul(signature: str = "(m,n),(n,p)->(m,p)", max_dims: int = MAX_DIMS, domain: Domain = real()):
    """Two operands whose core dims follow ``signature``; batch dims broadcast (NumPy's gufunc rules)."""
    def build(dtype: str, form: str | None = None):
        return _leaves(dtype, _broadcast_shapes(2, form, signature=signature, max_dims=max_dims), (domain, domain))
    return build


def tensor_lists(domain: Domain = real(), min_size: int = 1, max_size: int = 3, along_dim: bool = True,
                 new_dim: bool = False, **kwargs_strategies):
    """A list of tensors as the first argument (cat, stack), with a ``dim`` keyword.

    ``along_dim``: shapes agree except along ``dim`` (cat); ``new_dim``: shapes are equal and ``dim``
    may be one past the last (stack).  Either way the sizes along ``dim`` vary, zero included.
    """
    def build(dtype: str, form: str | None = None):
        def make(base_and_n):
            base, n = base_and_n
            ndim = len(base)
            dim_range = ndim + 1 if new_dim else max(ndim, 1)

            def with_dim(d):
                axis = d % dim_range
                sides = st.lists(st.integers(0, MAX_SIDE), min_size=n, max_size=n) if along_dim and not new_dim \
                    else st.just([None] * n)

                def tensors(sizes):
                    shapes_ = [base if s is None or not ndim else base[:axis] + (s,) + base[axis + 1:] for s in sizes]
                    return st.tuples(*[arrays(dtype, sh, domain) for sh in shapes_], grad_flags(n))
                return sides.flatmap(tensors).map(
                    lambda xs: Example(([TensorArg(a, f) for a, f in zip(xs[:-1], xs[-1])],), {"dim": d}))
            return st.integers(-dim_range, dim_range - 1).flatmap(with_dim)
        examples = st.tuples(shapes(min_dims=0 if new_dim else 1), st.integers(min_size, max_size)).flatmap(make)
        return _with_kwargs(examples, kwargs_strategies)
    return build
