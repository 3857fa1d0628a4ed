"""Records for the rest of ``torch.nn.functional``'s activations: the hard and shrink family, selu/celu,
mish, logsigmoid, softsign, tanhshrink, softmin, glu, prelu, rrelu (eval) and the in-place spellings.

Kinks are drawn exactly where torch's conventions decide the gradient: hardtanh's bounds (also drawn as
the interval, so a bound can sit on a drawn value), relu6 at 0 and 6, hardswish and hardsigmoid at ±3,
the shrinks at ±lambd, threshold at its threshold, 0 for selu, celu, softsign and prelu.  glu draws its
halved dim of even size, and now and then odd (torch's error is compared too).
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags, nonzero, real, shapes, unary
from .nn import NAN_GRAD_BY_POSITION, _call, softmax_args

F = "nn.functional"
BOUNDS = st.sampled_from([(-1.0, 1.0), (0.0, 6.0), (-0.5, 2.0), (1.0, 1.0)])


def _forms(name: str, inplace: bool) -> dict:
    """The function form, and the in-place call (``inplace=True`` on a clone) where torch has one."""
    if inplace:
        return {"forms": ("function", "call"), "call": _call(name, inplace=True)}
    return {"forms": ("function",)}


def _hardtanh_args():
    """hardtanh with bounds drawn from a few intervals, the input drawn on the bounds now and then."""
    def build(dtype: str, form: str | None = None):
        def make(bounds):
            low, high = bounds
            return unary(real(-8.0, 8.0, special=(low, high, 0.0)), min_val=st.just(low),
                         max_val=st.just(high))(dtype)
        return BOUNDS.flatmap(make)
    return build


def _glu_args():
    """An input whose ``dim`` has an even size (and sometimes an odd one, which torch refuses)."""
    def build(dtype: str, form: str | None = None):
        def make(shape_dim):
            shape, dim, flag = shape_dim
            return arrays(dtype, shape).map(lambda a: Example((TensorArg(a, flag),), {"dim": dim}))
        def halvable(draw):
            sides, d, negative = draw
            d %= len(sides)
            shape = tuple(n * 2 if i == d else n for i, n in enumerate(sides))  # the halved dim: even
            return shape, d - len(sides) if negative else d, True
        sides = st.lists(st.integers(1, 3), min_size=1, max_size=3)
        even = st.tuples(sides, st.integers(0, 2), st.booleans()).map(halvable)
        odd = sides.map(lambda s: ((*s[:-1], 3), -1, True))
        return st.integers(0, 4).flatmap(lambda pick: odd if pick == 0 else even).flatmap(make)  # 1 in 5 odd
    return build


def _prelu_args(domain):
    """An input (N, C, ...) or (C,) and a weight of 1 or C elements (0-d now and then)."""
    def build(dtype: str, form: str | None = None):
        def make(args):
            shape, per_channel, zero_d, flags = args
            channels = shape[1] if len(shape) > 1 else 1
            weight_shape = (channels,) if per_channel else (() if zero_d else (1,))
            return st.tuples(arrays(dtype, shape, domain),
                             arrays(dtype, weight_shape, real(-1.0, 1.0))).map(
                lambda xw: Example((TensorArg(xw[0], flags[0]), TensorArg(xw[1], flags[1]))))
        return st.tuples(shapes(min_dims=1, max_dims=4, min_side=1), st.booleans(), st.booleans(),
                         grad_flags(2)).flatmap(make)
    return build


LAMBDAS = st.sampled_from([0.5, 0.0, 1.5])


def _shrink(name: str, **kwargs):
    def build(dtype: str, form: str | None = None):
        return LAMBDAS.flatmap(lambda lambd: unary(real(special=(lambd, -lambd, 0.0)), lambd=st.just(lambd))(dtype))
    return Record(name, build, namespace=F, forms=("function",), label=f"F.{name}", **kwargs)


def _threshold_args():
    def build(dtype: str, form: str | None = None):
        return st.sampled_from([0.0, 0.5, -1.0]).flatmap(
            lambda th: unary(real(special=(th, 0.0)), threshold=st.just(th),
                             value=st.sampled_from([0.0, 2.0, -1.5]))(dtype))
    return build


def _underscore(name: str, example, **kwargs) -> Record:
    """``F.<name>_(x.clone(), ...)``: torch.nn.functional's in-place spelling, on a non-leaf."""
    def call(lib, input, *args, **kw):
        return getattr(lib.nn.functional, name + "_")(input.clone(), *args, **kw)
    call.__name__ = name + "_"
    return Record(name + "_", example, namespace=F, forms=("call",), call=call, label=f"F.{name}_", **kwargs)


RECORDS = [
    Record("hardtanh", _hardtanh_args(), namespace=F, label="F.hardtanh",
           unchecked=NAN_GRAD_BY_POSITION, **_forms("hardtanh", True)),
    Record("relu6", unary(real(-8.0, 8.0, special=(0.0, 6.0, -0.0))), namespace=F, label="F.relu6",
           unchecked=NAN_GRAD_BY_POSITION, **_forms("relu6", True)),
    Record("selu", unary(real(special=(0.0, -0.0))), namespace=F, label="F.selu",
           unchecked=NAN_GRAD_BY_POSITION, **_forms("selu", True)),
    Record("celu", unary(real(special=(0.0, -0.0)), alpha=st.sampled_from([1.0, 0.5, 2.0])), namespace=F,
           label="F.celu", unchecked=NAN_GRAD_BY_POSITION, **_forms("celu", True)),
    # (torch has no derivative of hardsigmoid's backward: "derivative for aten::hardsigmoid_backward is not
    # implemented"; mygrad's is the zero it would be, so the double check is left out)
    Record("hardsigmoid", unary(real(-5.0, 5.0, special=(-3.0, 3.0, 0.0))), namespace=F, label="F.hardsigmoid",
           second_order=False, **_forms("hardsigmoid", True)),
    Record("hardswish", unary(real(-5.0, 5.0, special=(-3.0, 3.0, 0.0))), namespace=F, label="F.hardswish",
           unchecked=NAN_GRAD_BY_POSITION, **_forms("hardswish", True)),
    _shrink("hardshrink", unchecked=NAN_GRAD_BY_POSITION),
    _shrink("softshrink", unchecked=NAN_GRAD_BY_POSITION),
    Record("threshold", _threshold_args(), namespace=F, label="F.threshold", **_forms("threshold", True)),
    Record("rrelu", unary(real(special=(0.0, -0.0)), training=st.just(False)), namespace=F, label="F.rrelu",
           **_forms("rrelu", True)),
    # at input 0 torch's first derivative takes the negative side (x > 0) and its second the positive one
    # (x >= 0): the kink is drawn for the first order, and kept away from the second
    Record("prelu", _prelu_args(real(special=(0.0, -0.0))), namespace=F, forms=("function",), label="F.prelu",
           second_order=False),
    Record("prelu", _prelu_args(nonzero()), namespace=F, forms=("function",), label="F.prelu (double)"),
    Record("mish", unary(real(-8.0, 8.0)), namespace=F, label="F.mish", **_forms("mish", True)),
    Record("logsigmoid", unary(real(-30.0, 30.0, special=(0.0,))), namespace=F, forms=("function",),
           label="F.logsigmoid"),
    Record("softsign", unary(real(special=(0.0, -0.0))), namespace=F, forms=("function",), label="F.softsign"),
    Record("tanhshrink", unary(real()), namespace=F, forms=("function",), label="F.tanhshrink"),
    Record("softmin", softmax_args(), namespace=F, forms=("function",), label="F.softmin"),
    Record("glu", _glu_args(), namespace=F, forms=("function",), label="F.glu"),
    _underscore("relu", unary(real(special=(0.0, -0.0)))),
    _underscore("elu", unary(real(special=(0.0, -0.0)), alpha=st.sampled_from([1.0, 0.5])),
                unchecked=NAN_GRAD_BY_POSITION),
    _underscore("selu", unary(real(special=(0.0,))), unchecked=NAN_GRAD_BY_POSITION),
    _underscore("celu", unary(real(special=(0.0,)), alpha=st.sampled_from([1.0, 2.0])),
                unchecked=NAN_GRAD_BY_POSITION),
    _underscore("leaky_relu", unary(real(special=(0.0,)), negative_slope=st.sampled_from([0.01, 0.2]))),
    _underscore("hardtanh", _hardtanh_args(), unchecked=NAN_GRAD_BY_POSITION),
    _underscore("threshold", _threshold_args()),
    _underscore("rrelu", unary(real(special=(0.0,)))),
]
