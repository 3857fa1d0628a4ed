"""Records for the padding, local response norm, margin-loss and ``EmbeddingBag`` modules: each builds the
module in both libraries and runs it (``modules.module_call``), comparing output, repr, state_dict,
gradients and graph."""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import TensorArg
from ..strategies import arrays
from .modules import _module_example, _record
from .nn_more import embedding_bag_args, embedding_bag_kept_off, multi_margin_args, multilabel_margin_args


def circular_pad_module(nd: int):
    """An input of nd+1 or nd+2 dims (now and then one too few, for torch's ValueError) and an int or
    a tuple of pads from a crop of 1 to 2 (never wider than the kept input, where torch's values are undefined)."""
    @st.composite
    def example(draw, dtype: str):
        ndim = draw(st.sampled_from([nd + 1, nd + 2, nd + 2, nd]))
        shape = tuple(draw(st.integers(3, 4)) for _ in range(ndim))
        padding = draw(st.one_of(st.integers(0, 2), st.tuples(*[st.integers(-1, 2)] * (2 * nd))))
        return _module_example(f"CircularPad{nd}d", (TensorArg(draw(arrays(dtype, shape)), True),), (padding,))
    return example


@st.composite
def lrn_module(draw, dtype: str):
    shape = tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(3, 5))))
    args = (draw(st.integers(1, 3)),) + draw(st.sampled_from([(), (0.5,), (0.5, 1.5, 2.0)]))
    return _module_example("LocalResponseNorm", (TensorArg(draw(arrays(dtype, shape)), True),), args)


def loss_module(module: str, functional):
    """The functional record's examples (``nn_more``) as the loss module's: scores and target the forward's
    inputs, the keywords the constructor's (``weight`` a constructor tensor, held as a buffer)."""
    def build(dtype: str):
        def make(e) -> object:
            options = {k: v for k, v in e.kwargs.items() if not isinstance(v, TensorArg)}
            tensors = {k: v for k, v in e.kwargs.items() if isinstance(v, TensorArg)}
            return _module_example(module, e.args, (), options, inputs=2, tensor_options=tensors)
        return functional(dtype).map(make)
    return build


def embedding_bag_module():
    """``F.embedding_bag``'s examples as ``EmbeddingBag(num, dim, ...)``'s: the weight a parameter, the
    input, offsets and per_sample_weights the forward's (a 2-D input's per_sample_weights left out, as the
    forward takes them only after offsets)."""
    def build(dtype: str):
        def make(e) -> object:
            x, weight = e.args[:2]
            inputs = (x,) + e.args[2:]
            options = {k: v for k, v in e.kwargs.items() if k != "per_sample_weights"}
            if "per_sample_weights" in e.kwargs and len(inputs) == 2:
                inputs += (e.kwargs["per_sample_weights"],)
            param = TensorArg(weight.array, weight.requires_grad, parameter=True)
            return _module_example("EmbeddingBag", inputs + (param,), weight.array.shape, options,
                                   params=("weight",), inputs=len(inputs))
        return embedding_bag_args()(dtype).map(make)
    return build


RECORDS = [
    _record("CircularPad1d", circular_pad_module(1)),
    _record("CircularPad2d", circular_pad_module(2)),
    _record("CircularPad3d", circular_pad_module(3)),
    _record("LocalResponseNorm", lambda dtype: lrn_module(dtype)),
    _record("MultiMarginLoss", loss_module("MultiMarginLoss", multi_margin_args())),
    _record("MultiLabelMarginLoss", loss_module("MultiLabelMarginLoss", multilabel_margin_args())),
    _record("EmbeddingBag", embedding_bag_module(), unchecked=embedding_bag_kept_off(1)),
]
