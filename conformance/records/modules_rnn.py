"""Records for the recurrent modules (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``) and their cells.

Each example builds the module in both libraries with drawn constructor arguments (layers, bias,
batch_first, bidirectional, dropout, nonlinearity, proj_size), assigns the same parameters
(``TensorArg(parameter=True)`` leaves through ``load_state_dict(assign=True)``), runs it on an input that
is batched or not, with or without initial states, in train or eval mode, and returns the output, every
final state, the repr, the state_dict's keys and values.  On torch 2.13's CPU a float32 LSTM without
projections on a non-empty input is one fused oneDNN node per layer and direction (no forward AD, a
composite double backward); everything else is torch's composite of ordinary nodes: the float32 and
float64 rows reach both.  Dropout between layers is drawn where its mask cannot matter (p=0 or p=1 in
training, any p in eval mode); a sequence of length 0 is drawn now and then (torch's error).
"""
from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags
from .modules import WEIGHTS

_GATES = {"RNN": 1, "GRU": 3, "LSTM": 4, "RNNCell": 1, "GRUCell": 3, "LSTMCell": 4}


def recurrent_call(lib, *tensors, module: str, args: tuple, options: dict, params: tuple, states: int,
                   train: bool, plain: bool = False):
    """Build ``lib.nn.<module>(*args, **options)``, assign the parameters, call it on the input and the
    ``states`` initial states (an LSTM's as the pair (h0, c0)); returns the outputs flattened, the repr,
    the state_dict's keys and values.  With ``plain`` the weights are plain tensors put in the parameters'
    places (``del`` then ``setattr``, as ``torch.func.functional_call`` does), so dual tensors and the
    functional transforms reach them; the state_dict then holds none of them."""
    m = getattr(lib.nn, module)(*args, **options)
    x, given, weights = tensors[0], tensors[1:1 + states], tensors[1 + states:]
    if plain:
        for name, weight in zip(params, weights):
            delattr(m, name)
            setattr(m, name, weight)
    else:
        m.load_state_dict(dict(zip(params, weights)), strict=True, assign=True)
    m.train(train)
    if states == 2:
        out = m(x, (given[0], given[1]))
    elif states == 1:
        out = m(x, given[0])
    else:
        out = m(x)
    flat = []
    for o in out if isinstance(out, tuple) else (out,):
        flat.extend(o if isinstance(o, tuple) else (o,))
    state = m.state_dict()
    return (*flat, repr(m), " ".join(state), *state.values())


def _parameters(draw, dtype: str, shapes: list, plain: bool) -> tuple:
    names = tuple(name for name, _ in shapes)
    tensors = tuple(TensorArg(draw(arrays(dtype, shape, WEIGHTS)), True, parameter=not plain)
                    for _, shape in shapes)
    return names, tensors


def layer_parameter_shapes(module: str, layers: int, directions: int, n_in: int, hidden: int, bias: bool,
                           proj: int) -> list[tuple[str, tuple[int, ...]]]:
    """A recurrent layer module's parameters in torch's order, with their shapes (``proj``: LSTM's projection
    size, 0 for none)."""
    gate, real_hidden = _GATES[module] * hidden, proj or hidden
    shapes: list[tuple[str, tuple[int, ...]]] = []
    for layer in range(layers):
        for suffix in ("", "_reverse")[:directions]:
            width = n_in if layer == 0 else real_hidden * directions
            shapes += [(f"weight_ih_l{layer}{suffix}", (gate, width)),
                       (f"weight_hh_l{layer}{suffix}", (gate, real_hidden))]
            if bias:
                shapes += [(f"bias_ih_l{layer}{suffix}", (gate,)), (f"bias_hh_l{layer}{suffix}", (gate,))]
            if proj:
                shapes += [(f"weight_hr_l{layer}{suffix}", (proj, hidden))]
    return shapes


def layer_module(module: str, plain: bool = False):
    """``RNN``/``LSTM``/``GRU``: 1 or 2 layers of 1 to 3 features, every constructor flag, an input of up to 4
    steps and 3 sequences (batched or not, the batch now and then empty), initial states or none."""
    @st.composite
    def example(draw, dtype: str):
        n_in, hidden, layers = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        bias, batch_first, bidirectional = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        train = draw(st.booleans())
        options: dict = {"num_layers": layers, "bias": bias, "batch_first": batch_first,
                         "bidirectional": bidirectional}
        if module == "RNN":
            options["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
        proj = 0
        if module == "LSTM" and hidden > 1 and draw(st.sampled_from([False, False, False, True])):
            proj = options["proj_size"] = draw(st.integers(1, hidden - 1))
        if layers > 1:
            options["dropout"] = draw(st.sampled_from([0.0, 1.0] if train else [0.0, 0.5]))
        steps = draw(st.sampled_from([0] + [1, 2, 3, 4] * 4))
        batch = draw(st.sampled_from([0, 1, 2, 2, 3, 3]))
        batched = draw(st.sampled_from([True, True, True, False]))
        shape = ((batch, steps, n_in) if batch_first else (steps, batch, n_in)) if batched else (steps, n_in)
        flags = draw(grad_flags(3))
        tensors = [TensorArg(draw(arrays(dtype, shape, WEIGHTS)), flags[0])]
        directions = 2 if bidirectional else 1
        real_hidden = proj or hidden
        states = 0
        if draw(st.booleans()):
            lead = (layers * directions,) + ((batch,) if batched else ())
            tensors.append(TensorArg(draw(arrays(dtype, lead + (real_hidden,), WEIGHTS)), flags[1]))
            states = 1
            if module == "LSTM":
                tensors.append(TensorArg(draw(arrays(dtype, lead + (hidden,), WEIGHTS)), flags[2]))
                states = 2
        shapes = layer_parameter_shapes(module, layers, directions, n_in, hidden, bias, proj)
        names, weights = _parameters(draw, dtype, shapes, plain)
        return Example((*tensors, *weights), {"module": module, "args": (n_in, hidden), "options": options,
                                              "params": names, "states": states, "train": train, "plain": plain})
    return example


def cell_module(module: str, plain: bool = False):
    """``RNNCell``/``LSTMCell``/``GRUCell``: an input (N, in) or (in,), the batch now and then empty, the
    state(s) given or not, with or without biases (and tanh or relu for RNNCell)."""
    @st.composite
    def example(draw, dtype: str):
        n_in, hidden, bias = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.booleans())
        options: dict = {"bias": bias}
        if module == "RNNCell":
            options["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
        batched = draw(st.sampled_from([True, True, False]))
        lead = (draw(st.sampled_from([0, 1, 2, 3])),) if batched else ()
        flags = draw(grad_flags(3))
        tensors = [TensorArg(draw(arrays(dtype, lead + (n_in,), WEIGHTS)), flags[0])]
        states = 0
        if draw(st.booleans()):
            states = 2 if module == "LSTMCell" else 1
            tensors += [TensorArg(draw(arrays(dtype, lead + (hidden,), WEIGHTS)), flags[1 + k]) for k in range(states)]
        gate = _GATES[module] * hidden
        shapes: list[tuple[str, tuple[int, ...]]] = [("weight_ih", (gate, n_in)), ("weight_hh", (gate, hidden))]
        if bias:
            shapes += [("bias_ih", (gate,)), ("bias_hh", (gate,))]
        names, weights = _parameters(draw, dtype, shapes, plain)
        return Example((*tensors, *weights), {"module": module, "args": (n_in, hidden), "options": options,
                                              "params": names, "states": states, "train": draw(st.booleans()),
                                              "plain": plain})
    return example


# Hostile values: every gate is a sum of products, x W_ih^T + h W_hh^T (+ biases).  Where such a sum passes the
# largest float its inf or NaN is the order its kernel adds in: measured (float32, bidirectional LSTM, h0 of
# 0.76, a w_hh row of -3.4e+38 and a w_ih entry of inf), torch's oneDNN layer adds the recurrent products one
# by one into x W_ih^T (inf stays inf: the output 0 and -0.17), while h W_hh^T on its own overflows to -inf
# (inf - inf: NaN); and through torch's composite, float32 gradients near 1e35 cancel to values 1e-4 apart by
# the gemm's order (GRU, weights as inputs: the bias gradient -7.3739e-05 in torch, -7.3736e-05 in mygrad,
# whose gemm is BLAS's where no sum can overflow, as for mm: linalg.BLAS_OVERFLOW).  The rows below draw every
# hostile value but the largest finite ones.
RNN_OVERFLOW = (("hostile: overflow", "a gate's sum of products past the largest float, or near it cancelling, is "
                                      "inf, NaN or its rounding by the order its kernel adds in (oneDNN's LSTM "
                                      "adds h W_hh^T into x W_ih^T product by product, measured; the composite's "
                                      "gemms as mm's)"),)
_OVERFLOW_ROWS = {"nn.LSTM", "nn.LSTM (weights as inputs)", "nn.GRU (weights as inputs)"}


def _record(module: str, builder, **fields) -> Record:
    return Record(module, builder(module), forms=("call",), namespace="nn", call=recurrent_call,
                  label=f"nn.{module}", output="tuple", **fields)


def _plain(module: str, builder, **fields) -> Record:
    return Record(module, builder(module, plain=True), forms=("call",), namespace="nn", call=recurrent_call,
                  label=f"nn.{module} (weights as inputs)", output="tuple", **fields)


def onednn_weights_kept_off(last: int) -> tuple:
    """The bad weights torch's fused oneDNN LSTM cannot take (weights as inputs: nothing checks their shapes on
    that path), at every argument position 1..``last`` a weight may hold (by the drawn states and layers)."""
    empty = ("an empty weight: torch 2.13 segfaults (measured: LSTM(3, 2) on a (4, 2, 3) float32 input with "
             "weight_ih_l0 or weight_hh_l0 = zeros(0), exit 139)")
    scalar = ("a 0-d weight: torch's oneDNN layer reads past its one element (measured: LSTM(3, 2) with "
              "weight_ih_l0 = tensor(0.5) outputs 0.5446 or -0.1591 as other tensors were allocated before)")
    shifted = ("a negative count of states: the call's tensors shift into the weights' places, the input as "
               "weight_ih, smaller than the layer reads (measured: LSTM(2, 2) with weight_ih_l0 = full((1, 2, 2), "
               "0.5) outputs 0.0 or -0.3545 as other tensors were allocated before)")
    return (("error_inputs: states= as negative", shifted),) + tuple(
        pair for k in range(1, last + 1) for pair in ((f"error_inputs: argument {k} as an empty tensor", empty),
                                                      (f"error_inputs: argument {k} as a 0-d tensor", scalar)))


# The LSTM rows' largest argument position: the input, h0 and c0, 2 layers x 2 directions x 5 weights.
LSTM_KEPT_OFF = onednn_weights_kept_off(23)


def _narrowed(record: Record) -> Record:
    """The record, drawing no extremes where its kernel's order decided a difference (RNN_OVERFLOW), and
    keeping the bad weights torch's fused LSTM crashes on off torch (LSTM_KEPT_OFF)."""
    unchecked = RNN_OVERFLOW if record.label in _OVERFLOW_ROWS else ()
    if record.label == "nn.LSTM (weights as inputs)":
        unchecked += LSTM_KEPT_OFF
    return dataclasses.replace(record, unchecked=unchecked) if unchecked else record


_BUILDERS = [("RNN", layer_module), ("LSTM", layer_module), ("GRU", layer_module), ("RNNCell", cell_module),
             ("LSTMCell", cell_module), ("GRUCell", cell_module)]
RECORDS = [_narrowed(_record(module, builder)) for module, builder in _BUILDERS] + [
    _narrowed(_plain(module, builder)) for module, builder in _BUILDERS]
