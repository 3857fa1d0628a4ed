"""Records for the convolution and pooling modules (``nn.Conv2d``, ``nn.MaxPool2d``, ...): each builds
the module in both libraries with the drawn constructor arguments, loads the same weights and runs it
(``modules.module_call``), so the output, repr, state_dict, gradients and graph are all compared."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import TensorArg
from ..strategies import arrays, grad_flags
from .modules import WEIGHTS, _module_example, _record
from .nn_conv import CONV_OVERFLOW, hostile_for


def conv_module(module: str, nd: int, transposed: bool = False):
    @st.composite
    def example(draw, dtype: str):
        groups = draw(st.sampled_from([1, 1, 2]))
        cin, cout = draw(st.integers(1, 2)) * groups, draw(st.integers(1, 2)) * groups
        kernel = draw(st.integers(1, 3))
        batch = draw(st.sampled_from([(), (1,), (2,)]))
        spatial = tuple(draw(st.integers(kernel, 5)) for _ in range(nd))
        flags = draw(grad_flags(3))
        bias = draw(st.booleans())
        options = {"stride": draw(st.integers(1, 2)), "groups": groups, "bias": bias}
        if transposed:
            options["output_padding"] = draw(st.integers(0, options["stride"] - 1))
            wshape = (cin, cout // groups) + (kernel,) * nd
        else:
            options["padding"] = draw(st.integers(0, 1))
            options["dilation"] = draw(st.integers(1, 2)) if kernel * 2 - 1 <= min(spatial) else 1
            wshape = (cout, cin // groups) + (kernel,) * nd
        tensors = [TensorArg(draw(arrays(dtype, batch + (cin,) + spatial, hostile_for(dtype))), flags[0]),
                   TensorArg(draw(arrays(dtype, wshape, hostile_for(dtype, WEIGHTS))), flags[1], parameter=True)]
        if bias:
            tensors.append(TensorArg(draw(arrays(dtype, (cout,), hostile_for(dtype, WEIGHTS))), flags[2],
                                     parameter=True))
        return _module_example(module, tuple(tensors), (cin, cout, kernel), options,
                               ("weight", "bias")[:len(tensors) - 1], train=draw(st.booleans()))
    return example


def pool_module(module: str, nd: int, options):
    @st.composite
    def example(draw, dtype: str):
        batch = draw(st.sampled_from([(), (1,), (2,)]))
        shape = batch + (draw(st.integers(1, 2)),) + tuple(draw(st.integers(2, 5)) for _ in range(nd))
        x = TensorArg(draw(arrays(dtype, shape, ties=module.startswith(("Max", "AdaptiveMax")))), True)
        args, kwargs = draw(options)
        return _module_example(module, (x,), args, kwargs)
    return example


_KERNEL = st.integers(1, 2)
RECORDS = [
    _record("Conv1d", conv_module("Conv1d", 1), unchecked=CONV_OVERFLOW),
    _record("Conv2d", conv_module("Conv2d", 2), unchecked=CONV_OVERFLOW),
    _record("Conv3d", conv_module("Conv3d", 3), unchecked=CONV_OVERFLOW),
    _record("ConvTranspose1d", conv_module("ConvTranspose1d", 1, transposed=True),
            unchecked=CONV_OVERFLOW),
    _record("ConvTranspose2d", conv_module("ConvTranspose2d", 2, transposed=True),
            unchecked=CONV_OVERFLOW),
    _record("ConvTranspose3d", conv_module("ConvTranspose3d", 3, transposed=True),
            unchecked=CONV_OVERFLOW),
    _record("MaxPool3d", pool_module("MaxPool3d", 3, st.tuples(st.tuples(_KERNEL), st.fixed_dictionaries(
        {"stride": st.sampled_from([None, 1]), "ceil_mode": st.booleans()})))),
    _record("AvgPool3d", pool_module("AvgPool3d", 3, st.tuples(st.tuples(_KERNEL), st.fixed_dictionaries(
        {"count_include_pad": st.booleans()})))),
    _record("AdaptiveAvgPool1d", pool_module("AdaptiveAvgPool1d", 1, st.tuples(
        st.tuples(st.sampled_from([1, 2, 3])), st.just({})))),
    _record("AdaptiveMaxPool1d", pool_module("AdaptiveMaxPool1d", 1, st.tuples(
        st.tuples(st.sampled_from([1, 2, 3])), st.just({})))),
    _record("MaxPool1d", pool_module("MaxPool1d", 1, st.tuples(st.tuples(_KERNEL), st.fixed_dictionaries(
        {"stride": st.sampled_from([None, 1]), "ceil_mode": st.booleans()})))),
    _record("MaxPool2d", pool_module("MaxPool2d", 2, st.tuples(st.tuples(_KERNEL), st.fixed_dictionaries(
        {"stride": st.sampled_from([None, 1]), "padding": st.sampled_from([0, 1]), "ceil_mode": st.booleans()})))),
    _record("AvgPool1d", pool_module("AvgPool1d", 1, st.tuples(st.tuples(_KERNEL), st.fixed_dictionaries(
        {"ceil_mode": st.booleans(), "count_include_pad": st.booleans()})))),
    _record("AvgPool2d", pool_module("AvgPool2d", 2, st.tuples(st.tuples(_KERNEL), st.fixed_dictionaries(
        {"padding": st.sampled_from([0, 1]), "divisor_override": st.sampled_from([None, 3])})))),
    _record("AdaptiveAvgPool2d", pool_module("AdaptiveAvgPool2d", 2, st.tuples(
        st.tuples(st.sampled_from([1, 2, (3, None)])), st.just({})))),
    _record("AdaptiveMaxPool2d", pool_module("AdaptiveMaxPool2d", 2, st.tuples(
        st.tuples(st.sampled_from([1, 2, (3, 2)])), st.just({})))),
]
