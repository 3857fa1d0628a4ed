"""Records for ``torch.nn.functional``: activations, softmax/log_softmax, linear, dropout and the losses.

Rows are labelled ``F.<name>`` (``relu``, ``sigmoid`` and ``tanh`` also have elementwise rows).
Domains are drawn, not filtered: kinks at 0 (and -0.0) for the relu family; probabilities strictly
inside (0, 1) for binary_cross_entropy's input; class indices within range, now and then equal
to ``ignore_index``; probability targets that sum to 1 along the class dim.  Dropout's random
mask cannot match torch's RNG, so only its deterministic forms are records (eval mode and p=0
return the input itself, p=1 multiplies by zero); ``tests/test_nn_functional.py`` checks the
mask's distribution and that the gradient is the mask's scaling.  The ``(errors)`` rows draw
arguments torch refuses (class out of range, mismatched target, wrong target dtype, weight of
the wrong size), so both libraries must raise the same exception class.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..registry import Example, LibAttr, Record, TensorArg
from ..strategies import Domain, arrays, grad_flags, real, reduction, unary

F = "nn.functional"
KINK = real(special=(0.0, -0.0))               # relu, leaky_relu, elu: the kink drawn exactly
LOGITS = real(-6.0, 6.0)
PROBABILITY = Domain(0.02, 0.98, 0.0, (0.5,))  # binary_cross_entropy's input, away from its clamp
TARGET = Domain(0.0, 1.0, 0.0, (0.0, 1.0))     # soft or hard binary targets
WEIGHT = Domain(0.1, 2.0, 0.0, (1.0,))
REDUCTION = st.sampled_from(["mean", "sum", "none"])
SIDE = st.integers(1, 4)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """None or a value (optional arguments such as ``weight``)."""
    return st.one_of(st.none(), strategy)


def _call(name: str, inplace: bool = False, clone: bool = True):
    """A call form: ``F.<name>(input, ...)``; with ``inplace`` on a clone (a non-leaf, as torch allows)."""
    def call(lib, input, *args, **kwargs):
        fn = getattr(lib.nn.functional, name)
        if inplace:
            return fn(input.clone() if clone else input, *args, inplace=True, **kwargs)
        return fn(input, *args, **kwargs)
    call.__name__ = f"{name}_inplace" if inplace else name
    return call


# ----- strategies this family needs ----------------------------------------------------------

def _trim_shape(shape: tuple) -> st.SearchStrategy:
    """A shape that broadcasts to ``shape``: a suffix of it, with some sizes replaced by 1."""
    def cut(data):
        start, ones = data
        return tuple(1 if i in ones else n for i, n in enumerate(shape[start:]))
    return st.tuples(st.integers(0, len(shape)), st.sets(st.integers(0, max(len(shape) - 1, 0)))).map(cut)


def pairs(weighted: bool = False):
    """``(input, target)`` for mse/l1: mostly one shape, sometimes broadcasting (torch warns and
    broadcasts); ``reduction``; with ``weighted``, sometimes a non-negative ``weight`` of the input's shape."""
    def build(dtype: str):
        def make(shapes_flags):
            (sa, sb), flags = shapes_flags
            kwargs = {"reduction": REDUCTION}
            if weighted:
                kwargs["weight"] = _maybe(st.tuples(arrays(dtype, np.broadcast_shapes(sa, sb), WEIGHT),
                                                    st.booleans()).map(lambda wf: TensorArg(*wf)))
            return st.tuples(arrays(dtype, sa), arrays(dtype, sb), st.fixed_dictionaries(kwargs)).map(
                lambda abk: Example((TensorArg(abk[0], flags[0]), TensorArg(abk[1], flags[1])), abk[2]))
        same = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4).map(lambda s: (s, s))
        broadcast = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4).map(
            lambda r: r.input_shapes)
        return st.tuples(st.one_of(same, same, same, broadcast), grad_flags(2)).flatmap(make)
    return build


def binary_targets(input_domain: Domain, pos_weight: bool = False):
    """``(input, target)`` of one shape for the binary cross-entropies, a ``weight`` broadcastable to
    it (no grad: torch refuses one), ``reduction``; with ``pos_weight``, one along the last dims."""
    def build(dtype: str):
        def make(shape_flags):
            shape, flags = shape_flags
            kwargs = {"reduction": REDUCTION, "weight": _maybe(_constant(dtype, shape, WEIGHT))}
            if pos_weight:
                kwargs["pos_weight"] = _maybe(_constant(dtype, shape, WEIGHT))
            return st.tuples(arrays(dtype, shape, input_domain), arrays(dtype, shape, TARGET),
                             st.fixed_dictionaries(kwargs)).map(
                lambda xtk: Example((TensorArg(xtk[0], flags[0]), TensorArg(xtk[1], flags[1])), xtk[2]))
        return st.tuples(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), grad_flags(2)).flatmap(make)
    return build


def _constant(dtype: str, shape: tuple, domain: Domain) -> st.SearchStrategy:
    """A tensor that requires no grad, of a shape that broadcasts to ``shape``."""
    return _trim_shape(shape).flatmap(lambda s: arrays(dtype, s, domain)).map(
        lambda a: TensorArg(a, False))


def _class_shape() -> st.SearchStrategy:
    """(input shape, class dim): (C,), (N, C) mostly, or (N, C, d1, ...) up to 5 dims."""
    single = SIDE.map(lambda c: ((c,), 0))
    batch = st.tuples(st.integers(0, 4), SIDE).map(lambda nc: (nc, 1))
    spatial = st.tuples(st.integers(1, 3), SIDE, st.lists(st.integers(1, 3), min_size=1, max_size=3)).map(
        lambda ncd: ((ncd[0], ncd[1], *ncd[2]), 1))
    return st.one_of(single, batch, batch, spatial)


def class_targets(smoothing: bool = False):
    """Scores ``(N, C, ...)`` and int64 class indices within range, some equal to ``ignore_index``
    (the default -100, or a drawn class, or -1); optional class ``weight``; ``reduction``; with
    ``smoothing``, a ``label_smoothing`` in [0, 1]."""
    def build(dtype: str):
        def make(shape_dim):
            shape, dim = shape_dim
            classes = shape[dim]
            target_shape = shape[:dim] + shape[dim + 1:]

            def with_ignore(ignore):
                pool = list(range(classes)) + [ignore] * 2
                target = hnp.arrays(np.int64, target_shape, elements=st.sampled_from(pool))
                kwargs = {"reduction": REDUCTION, "weight": _maybe(arrays(dtype, (classes,), WEIGHT).map(
                    lambda w: TensorArg(w, False)))}
                if ignore != -100:
                    kwargs["ignore_index"] = st.just(ignore)
                if smoothing:
                    kwargs["label_smoothing"] = st.sampled_from([0.0, 0.1, 0.5, 1.0])
                return st.tuples(arrays(dtype, shape, LOGITS), target, st.fixed_dictionaries(kwargs)).map(
                    lambda xtk: Example((TensorArg(xtk[0]), TensorArg(xtk[1], False)), xtk[2]))
            return st.sampled_from([-100, -1, *range(classes)]).flatmap(with_ignore)
        return _class_shape().flatmap(make)
    return build


def probability_targets():
    """Scores and a target of the same shape whose entries along the class dim are probabilities
    (positive draws normalised to sum to 1); optional class ``weight``, ``label_smoothing``, ``reduction``."""
    def build(dtype: str):
        def make(shape_dim_flags):
            (shape, dim), flags = shape_dim_flags
            kwargs = {"reduction": REDUCTION, "label_smoothing": st.sampled_from([0.0, 0.2]),
                      "weight": _maybe(arrays(dtype, (shape[dim],), WEIGHT).map(lambda w: TensorArg(w, False)))}
            raw = arrays(dtype, shape, Domain(0.05, 1.0, 0.0, ()))
            return st.tuples(arrays(dtype, shape, LOGITS), raw, st.fixed_dictionaries(kwargs)).map(
                lambda xpk: Example((TensorArg(xpk[0], flags[0]),
                                     TensorArg(_normalised(xpk[1], dim), flags[1])), xpk[2]))
        return st.tuples(_class_shape(), grad_flags(2)).flatmap(make)
    return build


def _normalised(p: np.ndarray, dim: int) -> np.ndarray:
    return (p / p.sum(axis=dim, keepdims=True)).astype(p.dtype) if p.size else p


def bad_class_targets():
    """Class-index calls torch refuses: a class out of range, a batch that does not match, an int32
    target, a weight of the wrong size."""
    def build(dtype: str):
        def make(nc):
            n, c = nc
            scores = arrays(dtype, (n, c), LOGITS).map(TensorArg)
            out_of_range = st.tuples(scores, st.sampled_from([c, c + 1, -1, -2])).map(
                lambda sv: Example((sv[0], TensorArg(np.full(n, sv[1], np.int64), False))))
            batch = scores.map(lambda s: Example((s, TensorArg(np.zeros(n + 1, np.int64), False))))
            int32 = scores.map(lambda s: Example((s, TensorArg(np.zeros(n, np.int32), False))))
            weight = scores.map(lambda s: Example((s, TensorArg(np.zeros(n, np.int64), False)),
                                                  {"weight": TensorArg(np.ones(c + 1, s.array.dtype), False)}))
            return st.one_of(out_of_range, batch, int32, weight)
        return st.tuples(st.integers(1, 3), SIDE).flatmap(make)
    return build


def linear_args():
    """input (*, in) of 1 to 4 dims, weight (out, in), bias None, (out,) or a shape broadcasting to (out,)."""
    def build(dtype: str):
        def make(sizes):
            batch, n_in, n_out, bias_shape, flags = sizes
            bias = st.none() if bias_shape is None else arrays(dtype, bias_shape).map(
                lambda b: TensorArg(b, flags[2]))
            return st.tuples(arrays(dtype, (*batch, n_in)), arrays(dtype, (n_out, n_in)), bias).map(
                lambda xwb: Example((TensorArg(xwb[0], flags[0]), TensorArg(xwb[1], flags[1]), xwb[2])))
        out = st.integers(1, 4)
        return st.tuples(st.lists(st.integers(0, 3), max_size=3), SIDE, out, grad_flags(3)).flatmap(
            lambda bio: st.sampled_from([None, (bio[2],), (bio[2],), (1, bio[2]), ()]).map(
                lambda b: (bio[0], bio[1], bio[2], b, bio[3]))).flatmap(make)
    return build


def softmax_args():
    """One tensor, a ``dim``, and ``dtype`` None, the input's own, or a wider one (a narrowing cast
    would compare float32 rounding at float64 tolerance; tests/test_nn_functional.py covers it)."""
    def build(dtype: str):
        casts = [None, LibAttr(dtype)] + ([LibAttr("float64")] if dtype == "float32" else [])
        return reduction(LOGITS, keepdim=False, full=False, allow_tuple=False, allow_empty_dim=False,
                         dtype=st.sampled_from(casts))(dtype)
    return build


SLOPES = st.sampled_from([0.01, 0.2, 1.5, -0.5])
# torch's CPU activation backward kernels (elu/selu/celu, hardtanh/relu6, hardswish, the shrinks) give a
# different gradient at NaN by the element's position: the vectorised loop's comparison yields 0 (or NaN),
# the scalar tail passes grad through (measured: the gradient of F.elu at NaN is 1 in a 1-element tensor
# and NaN in a 40-element one).  No fixed rule reproduces it, so these records draw no hostile values.
NAN_GRAD_BY_POSITION = (("hostile", "torch's gradient at NaN depends on the element's position in its "
                                    "vectorised CPU kernel (scalar tail vs vector body)"),)
ALPHAS = st.sampled_from([1.0, 0.5, 2.0])
# linear is torch's addmm/matmul, MKL's products: where a sum of products overflows, inf or NaN as MKL's kernel
# orders it, which changes with the operands' layout and sizes (measured, float32: [-0.875, 0.5, 0.875, -2]
# against [0, max, max, max] is NaN in a (6, 4) @ (4, 4) mm of contiguous operands and -inf with the right one
# transposed, -inf through dot, NaN through mv): no one order reproduces it, so no largest floats are drawn.
LINEAR_BLAS = (("hostile: overflow", "a sum of products that overflows is inf or NaN by the order of MKL's kernel, "
                                     "which depends on the operands' layout and sizes (measured)"),)

RECORDS = [
    # activations
    Record("relu", unary(KINK), namespace=F, forms=("function", "call"), call=_call("relu", inplace=True),
           label="F.relu"),
    Record("leaky_relu", unary(KINK, negative_slope=SLOPES), namespace=F, forms=("function", "call"),
           call=_call("leaky_relu", inplace=True), label="F.leaky_relu"),
    Record("elu", unary(KINK, alpha=ALPHAS), namespace=F, forms=("function", "call"),
           call=_call("elu", inplace=True), label="F.elu", unchecked=NAN_GRAD_BY_POSITION),
    Record("gelu", unary(real(), approximate=st.sampled_from(["none", "tanh"])), namespace=F,
           forms=("function",), label="F.gelu"),
    Record("silu", unary(real(-8.0, 8.0)), namespace=F, forms=("function", "call"),
           call=_call("silu", inplace=True), label="F.silu"),
    Record("softplus", unary(real(-8.0, 8.0), beta=st.sampled_from([1, 2, 0.5]),
                             threshold=st.sampled_from([20, 1, 3])), namespace=F, forms=("function",),
           label="F.softplus"),
    Record("sigmoid", unary(real(-8.0, 8.0)), namespace=F, forms=("function",), label="F.sigmoid"),
    Record("tanh", unary(real()), namespace=F, forms=("function",), label="F.tanh"),
    Record("softmax", softmax_args(), namespace=F, label="F.softmax"),
    Record("log_softmax", softmax_args(), namespace=F, label="F.log_softmax"),
    # layers
    Record("linear", linear_args(), namespace=F, forms=("function",), label="F.linear", unchecked=LINEAR_BLAS),
    Record("dropout", unary(p=st.sampled_from([0.0, 0.3, 1.0]), training=st.just(False)), namespace=F,
           forms=("function",), label="F.dropout (eval)"),
    Record("dropout", unary(p=st.sampled_from([0.0, 1.0]), training=st.just(True)), namespace=F,
           forms=("function", "call"), call=_call("dropout", inplace=True), label="F.dropout (p=0, p=1)"),
    # losses
    Record("mse_loss", pairs(weighted=True), namespace=F, forms=("function",), label="F.mse_loss"),
    Record("l1_loss", pairs(weighted=True), namespace=F, forms=("function",), label="F.l1_loss"),
    Record("binary_cross_entropy", binary_targets(PROBABILITY), namespace=F, forms=("function",),
           label="F.binary_cross_entropy"),
    Record("binary_cross_entropy_with_logits", binary_targets(LOGITS, pos_weight=True), namespace=F,
           forms=("function",), label="F.binary_cross_entropy_with_logits"),
    Record("nll_loss", class_targets(), namespace=F, forms=("function",), label="F.nll_loss"),
    Record("nll_loss", bad_class_targets(), namespace=F, forms=("function",), label="F.nll_loss (errors)", raises=True),
    Record("cross_entropy", class_targets(smoothing=True), namespace=F, forms=("function",),
           label="F.cross_entropy"),
    Record("cross_entropy", probability_targets(), namespace=F, forms=("function",),
           label="F.cross_entropy (probabilities)"),
    Record("cross_entropy", bad_class_targets(), namespace=F, forms=("function",),
           label="F.cross_entropy (errors)", raises=True),
]
