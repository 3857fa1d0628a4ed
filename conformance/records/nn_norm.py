"""Records for normalisation: ``F.layer_norm``, ``F.batch_norm`` (training and eval), ``F.group_norm``,
``F.instance_norm``, ``F.rms_norm``, ``F.normalize`` and their modules.

Inputs are small (2 to 4 per dim).  Running statistics are tensors that require no grad: torch updates
them in place in training mode, so the mutation check compares their contents afterwards.  Shapes that
torch refuses are drawn now and then (a single value per channel in training, channels not divisible by
the groups, a mismatched ``normalized_shape``), so the error classes are compared too.  Values are drawn
distinct from each other (``distinct``), and layer_norm's rows spread apart (``_spread``), so that a variance
is never the difference of nearly equal numbers (the statistic's rounding would then dominate the comparison).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, positive, real
from .modules import _Dtype, _module_example, module_call_resolved

F = "nn.functional"
VALUES = real(-3.0, 3.0, special=())
VAR = positive(0.2, 3.0)
EPS = st.sampled_from([1e-5, 1e-3, 0.1])
MOMENTUM = st.sampled_from([0.1, 0.5, 1.0, 0.0])
NORM_TOL = {"float32": (1e-3, 1e-4)}


def _x(dtype: str, shape, requires_grad: bool = True) -> st.SearchStrategy:
    return arrays(dtype, tuple(shape), VALUES, distinct=True).map(lambda a: TensorArg(a, requires_grad))


def _spread(arg: TensorArg, ndims: int) -> TensorArg:
    """``arg`` with each slice over its last ``ndims`` dims spread over [-3, 3]: the k-th smallest of its n values
    moved into the k-th of n equal bins (keeping its relative place), so two values of a slice are at least half a
    bin apart. ``distinct`` alone leaves values 0.01 apart around 1.4: float32's rounding of x - mean then dominates
    a layer_norm gradient that cancels to ~0 (a constant upstream gradient over a row), where torch's kernel (a
    Welford mean, fused multiply-adds) and any other correct one differ in the noise, by 50% of it."""
    a = arg.array
    n = int(np.prod(a.shape[a.ndim - ndims:], dtype=np.int64))
    if a.size == 0 or n <= 1:
        return arg
    rows = a.reshape(-1, n).astype(np.float64)
    ranks = rows.argsort(axis=1).argsort(axis=1)
    width = 6.0 / n
    spread = -3.0 + width * (ranks + 0.25 + 0.5 * (rows + 3.0) / 6.0)
    return replace(arg, array=spread.reshape(a.shape).astype(a.dtype))


def _maybe_param(dtype: str, shape, flag: bool, present: bool, parameter: bool = False):
    if not present:
        return st.none()
    return arrays(dtype, tuple(shape), real(-2.0, 2.0, special=())).map(
        lambda a: TensorArg(a, flag, parameter=parameter))


def _stat(dtype: str, n: int, var: bool) -> st.SearchStrategy:
    return arrays(dtype, (n,), VAR if var else VALUES).map(lambda a: TensorArg(a, False))


# ----- functional ---------------------------------------------------------------------------------

def layer_norm_example():
    """x (*batch, *normalized) with 0-2 batch dims and 1-2 normalised dims; weight/bias optional; now and
    then a normalized_shape that does not match the input's last dims."""
    def build(dtype: str):
        def make(d):
            batch, norm, affine, flags, eps, bad = d
            given = tuple(n + 1 for n in norm) if bad else tuple(norm)
            x = _x(dtype, (*batch, *norm), flags[0]).map(lambda arg: _spread(arg, len(norm)))
            return st.tuples(x, _maybe_param(dtype, norm, flags[1], affine[0]),
                             _maybe_param(dtype, norm, flags[2], affine[1])).map(
                lambda t: Example((t[0], given, t[1], t[2], eps)))
        return st.tuples(st.lists(st.integers(1, 3), max_size=2), st.lists(st.integers(2, 4), min_size=1, max_size=2),
                         st.tuples(st.booleans(), st.booleans()), grad_flags(3), EPS,
                         st.sampled_from([False] * 9 + [True])).flatmap(make)
    return build


def _channels_shape(min_spatial: int = 0, max_spatial: int = 2):
    """(N, C, *spatial): N 1-3, C 1-3, 0-2 spatial dims of 1-3."""
    return st.tuples(st.integers(1, 3), st.integers(1, 3),
                     st.lists(st.integers(1, 3), min_size=min_spatial, max_size=max_spatial)).map(
        lambda t: (t[0], t[1], *t[2]))


def _contiguous(arg):
    return None if arg is None else replace(arg, contiguous=True)


def batch_norm_example(training: bool):
    """x (N, C, *), running statistics (optional in training), weight/bias optional, momentum, eps."""
    def build(dtype: str):
        def make(d):
            shape, stats, affine, flags, momentum, eps = d
            c = shape[1]
            running = st.tuples(_stat(dtype, c, False), _stat(dtype, c, True)) if stats or not training \
                else st.just((None, None))
            # torch's backward reads strided running statistics and weight as if contiguous (wrong gradients, or
            # garbage memory, measured on 2-D inputs and 3-D ones with size-1 dims): those stay contiguous
            kept = _contiguous
            return st.tuples(_x(dtype, shape, flags[0]), running, _maybe_param(dtype, (c,), flags[1], affine[0]),
                             _maybe_param(dtype, (c,), flags[2], affine[1])).map(
                lambda t: Example((t[0], kept(t[1][0]), kept(t[1][1]), kept(t[2]), kept(t[3]), training, momentum,
                                   eps)))
        return st.tuples(_channels_shape(), st.booleans(), st.tuples(st.booleans(), st.booleans()), grad_flags(3),
                         MOMENTUM, EPS).flatmap(make)
    return build


def group_norm_example():
    """x (N, G*k, *) with G 1-3 groups of k 1-2 channels (now and then a G that does not divide C)."""
    def build(dtype: str):
        def make(d):
            n, groups, k, spatial, affine, flags, eps, bad = d
            c = groups * k
            shape = (n, c, *spatial)
            given = groups + 1 if bad else groups
            return st.tuples(_x(dtype, shape, flags[0]), _maybe_param(dtype, (c,), flags[1], affine),
                             _maybe_param(dtype, (c,), flags[2], affine)).map(
                lambda t: Example((t[0], given, t[1], t[2], eps)))
        return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
                         st.lists(st.integers(1, 3), max_size=2), st.booleans(), grad_flags(3), EPS,
                         st.sampled_from([False] * 9 + [True])).flatmap(make)
    return build


def instance_norm_example():
    """x (N, C, *spatial) with 1-2 spatial dims; running statistics optional (required without input
    statistics); weight/bias optional; ``use_input_stats`` either way."""
    def build(dtype: str):
        def make(d):
            shape, stats, use_input, affine, flags, momentum, eps = d
            c = shape[1]
            running = st.tuples(_stat(dtype, c, False), _stat(dtype, c, True)) if stats or not use_input \
                else st.just((None, None))
            return st.tuples(_x(dtype, shape, flags[0]), running, _maybe_param(dtype, (c,), flags[1], affine),
                             _maybe_param(dtype, (c,), flags[2], affine)).map(
                lambda t: Example((t[0], t[1][0], t[1][1], t[2], t[3], use_input, momentum, eps)))
        return st.tuples(_channels_shape(1, 2), st.booleans(), st.booleans(), st.booleans(), grad_flags(3),
                         MOMENTUM, EPS).flatmap(make)
    return build


def rms_norm_example():
    def build(dtype: str):
        def make(d):
            batch, norm, affine, flags, eps = d
            return st.tuples(_x(dtype, (*batch, *norm), flags[0]), _maybe_param(dtype, norm, flags[1], affine)).map(
                lambda t: Example((t[0], tuple(norm), t[1], eps)))
        return st.tuples(st.lists(st.integers(1, 3), max_size=2), st.lists(st.integers(1, 4), min_size=1, max_size=2),
                         st.booleans(), grad_flags(2), st.sampled_from([None, 1e-5, 0.1])).flatmap(make)
    return build


def normalize_example():
    def build(dtype: str):
        def make(d):
            shape, p, eps, pick = d
            dim = pick % len(shape) - (len(shape) if pick % 2 else 0)
            return _x(dtype, shape).map(lambda x: Example((x,), {"p": p, "dim": dim, "eps": eps}))
        return st.tuples(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
                         st.sampled_from([2.0, 1.0, 3.0]), st.sampled_from([1e-12, 0.5]),
                         st.integers(0, 5)).flatmap(make)
    return build


# ----- modules ----------------------------------------------------------------------------------------

def _param_tensors(dtype: str, shape, names: tuple, flags) -> st.SearchStrategy:
    return st.tuples(*[arrays(dtype, tuple(shape), real(-2.0, 2.0, special=())).map(
        lambda a, f=f: TensorArg(a, f, parameter=True)) for f, _ in zip(flags, names)])


def layer_norm_module(module: str):
    """LayerNorm(normalized_shape, eps, elementwise_affine, bias) / RMSNorm(normalized_shape, eps,
    elementwise_affine); parameters loaded as drawn, train or eval."""
    def build(dtype: str):
        def make(d):
            batch, norm, affine, bias, flags, eps, train = d
            names = (("weight", "bias") if bias else ("weight",)) if affine else ()
            if module == "RMSNorm":
                names = ("weight",) if affine else ()
                options = {"eps": eps if eps != 1e-5 else None, "elementwise_affine": affine,
                           "dtype": _Dtype(dtype)}
            else:
                options = {"eps": eps, "elementwise_affine": affine, "bias": bias, "dtype": _Dtype(dtype)}
            return st.tuples(_x(dtype, (*batch, *norm), flags[0]), _param_tensors(dtype, norm, names, flags[1:])).map(
                lambda t: _module_example(module, (t[0], *t[1]), (tuple(norm),), options, names, train=train))
        return st.tuples(st.lists(st.integers(1, 3), max_size=2), st.lists(st.integers(2, 4), min_size=1, max_size=2),
                         st.booleans(), st.booleans(), grad_flags(3), EPS, st.booleans()).flatmap(make)
    return build


def group_norm_module():
    def build(dtype: str):
        def make(d):
            n, groups, k, spatial, affine, bias, flags, eps, train = d
            c = groups * k
            names = (("weight", "bias") if bias else ("weight",)) if affine else ()
            return st.tuples(_x(dtype, (n, c, *spatial), flags[0]), _param_tensors(dtype, (c,), names, flags[1:])).map(
                lambda t: _module_example("GroupNorm", (t[0], *t[1]), (groups, c),
                                          {"eps": eps, "affine": affine, "bias": bias, "dtype": _Dtype(dtype)}, names,
                                          train=train))
        return st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2),
                         st.lists(st.integers(1, 3), max_size=2),
                         st.booleans(), st.booleans(), grad_flags(3), EPS, st.booleans()).flatmap(make)
    return build


_SPATIAL = {"BatchNorm1d": (0, 1), "BatchNorm2d": (2, 2), "BatchNorm3d": (3, 3),
            "InstanceNorm1d": (1, 1), "InstanceNorm2d": (2, 2)}


def running_norm_module(module: str):
    """BatchNorm*/InstanceNorm*(num_features, eps, momentum (None: cumulative average), affine,
    track_running_stats): the parameters and the buffers (running statistics, a drawn count of batches
    tracked) loaded as drawn; train or eval; now and then an input of the wrong rank (torch's ValueError).
    InstanceNorm's inputs sometimes lack the batch dim."""
    lo, hi = _SPATIAL[module]
    instance = module.startswith("Instance")

    def build(dtype: str):
        def make(d):
            n, c, spatial, (affine, bias), track, flags, momentum, eps, train, count, shape_change = d
            shape = (n, c, *spatial)
            if shape_change == 1:
                shape = shape + (2,)
            elif shape_change == 2 and instance:
                shape = shape[1:]
            names = ((("weight", "bias") if bias else ("weight",)) if affine else ()) + (
                ("running_mean", "running_var", "num_batches_tracked") if track else ())
            parts = [_x(dtype, shape, flags[0])]
            parts += [arrays(dtype, (c,), real(-2.0, 2.0, special=())).map(
                lambda a, f=f: TensorArg(a, f, parameter=True))
                      for f in flags[1:3]][:(2 if bias else 1) if affine else 0]
            if track:   # (the running statistics stay contiguous: torch misreads strided ones, batch_norm_example)
                parts += [_stat(dtype, c, False).map(_contiguous), _stat(dtype, c, True).map(_contiguous),
                          st.just(TensorArg(np.array(count, dtype=np.int64), False))]
            options = {"eps": eps, "momentum": momentum, "affine": affine, "bias": bias, "track_running_stats": track,
                       "dtype": _Dtype(dtype)}
            return st.tuples(*parts).map(lambda t: _module_example(module, t, (c,), options, names, train=train))
        return st.tuples(st.integers(1, 3), st.integers(1, 3), st.lists(st.integers(2, 3), min_size=lo, max_size=hi),
                         st.tuples(st.booleans(), st.booleans()), st.booleans(), grad_flags(3),
                         st.sampled_from([0.1, None, 0.5]), EPS,
                         st.booleans(), st.integers(0, 3), st.sampled_from([0] * 8 + [1, 2])).flatmap(make)
    return build


def _fn(name: str, example, label: str | None = None, **fields) -> Record:
    return Record(name, example, namespace=F, forms=("function",), label=label or f"F.{name}",
                  tolerance=NORM_TOL, **fields)


def _module(module: str, example) -> Record:
    return Record(module, example, forms=("call",), namespace="nn", call=module_call_resolved,
                  label=f"nn.{module}", output="tuple", tolerance=NORM_TOL)


RECORDS = [
    _fn("layer_norm", layer_norm_example()),
    _fn("batch_norm", batch_norm_example(True), label="F.batch_norm (training)"),
    _fn("batch_norm", batch_norm_example(False), label="F.batch_norm (eval)"),
    _fn("group_norm", group_norm_example()),
    _fn("instance_norm", instance_norm_example()),
    _fn("rms_norm", rms_norm_example()),
    _fn("normalize", normalize_example()),
    _module("LayerNorm", layer_norm_module("LayerNorm")),
    _module("RMSNorm", layer_norm_module("RMSNorm")),
    _module("GroupNorm", group_norm_module()),
] + [_module(m, running_norm_module(m)) for m in _SPATIAL]
