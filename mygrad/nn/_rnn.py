"""The recurrent kernels behind ``nn.RNN``/``LSTM``/``GRU`` and their cells, in torch's two shapes.

torch 2.13 on the CPU runs an ``LSTM`` without projections on a non-empty float32 input through oneDNN:
one ``MkldnnRnnLayerBackward0`` node per layer and direction (edges: input, weight_ih, weight_hh, bias_ih,
bias_hh, h0, c0), with a fused forward and backward through time.  Everything else (``RNN``, ``GRU``, float64,
``proj_size``, an empty batch, and every cell) is torch's composite: per time step ``linear`` + the gate
nonlinearities, the input projection done once per layer and unbound.  Both are reproduced here node for
node; the fused layer's forward and backward are NumPy over the whole batch, looping over time only.
A ``PackedSequence`` input takes torch's packed composite (``PackedLayer``/``ReversedPackedLayer``: the state
sliced to each step's batch), except a float32 LSTM whose sequences are all as long as the longest, which torch
runs through the fused layers on the data viewed (T, N, F).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._quiet import quiet
from .._tensor import Tensor
from ..autograd.backends import formula_helper
from ..autograd.node import derivative
from ..ops._define import check_broadcast, record, record_multi

__all__: list = []

# ----- the composite's own nodes -------------------------------------------------------------------

# torch's gate chunks are ``unsafe_chunk``: pieces that autograd does not track as views
UnsafeSplitBackward0 = derivative("UnsafeSplitBackward0", attrs="dim", multi_output=True, self="cat(grad, dim)")
# batch_first output of the composite: torch transposes it in place (``transpose_``)
TransposeBackward1 = derivative("TransposeBackward1", attrs="dim0 dim1", self="swap_dims(grad, dim0, dim1)")


def unsafe_chunk(x: Tensor, chunks: int, dim: int) -> tuple:
    dim = x._wrap_dim(dim)   # (a weight of the wrong rank makes the gates 1-D: torch's dim error)
    data = x._data
    size = data.shape[dim] // chunks
    index = (slice(None),) * dim
    return tuple(record_multi(UnsafeSplitBackward0,
                              [data[index + (slice(k * size, (k + 1) * size),)] for k in range(chunks)], (x,), dim=dim))


def transpose_out(x: Tensor, dim0: int, dim1: int) -> Tensor:
    return record(TransposeBackward1, np.swapaxes(x._data, dim0, dim1), (x,), dim0=dim0, dim1=dim1)


def _ops():
    import mygrad

    from . import functional as F
    return mygrad, F


# ----- one time step (torch's cells, operand for operand) --------------------------------------------
# ``gi`` is the input's projection: given (a sequence projects every step's input first), or a function that
# makes it, called after the hidden state's projection, as torch's single RNN and LSTM cells do
# (``linear_hh(hx).add_(linear_ih(input))``): that order of the nodes decides which leaves a backward failing
# midway has already accumulated into.

def _input_projection(gi) -> Tensor:
    return gi() if callable(gi) else gi


def rnn_cell(mode: str, gi: Tensor | Callable[[], Tensor], h: Tensor, w_hh: Tensor, b_hh) -> Tensor:
    mygrad, F = _ops()
    pre = F.linear(h, w_hh, b_hh) + _input_projection(gi)
    return mygrad.tanh(pre) if mode == "RNN_TANH" else mygrad.relu(pre)


def lstm_cell(gi: Tensor | Callable[[], Tensor], h: Tensor, c: Tensor, w_hh: Tensor, b_hh, w_hr=None) -> tuple:
    """Gate order i, f, g, o; c' = f c + i g, h' = o tanh(c') (then h' w_hr^T with projections)."""
    mygrad, F = _ops()
    i, f, g, o = unsafe_chunk(F.linear(h, w_hh, b_hh) + _input_projection(gi), 4, 1)
    i, f, g, o = mygrad.sigmoid(i), mygrad.sigmoid(f), mygrad.tanh(g), mygrad.sigmoid(o)
    c = f * c + i * g
    h = o * mygrad.tanh(c)
    if w_hr is not None:
        h = h.matmul(w_hr.t())
    return h, c


def gru_cell(gi: Tensor, h: Tensor, w_hh: Tensor, b_hh) -> Tensor:
    """Gate order r, z, n; n = tanh(x_n + r (W_hn h + b_hn)), h' = (h - n) z + n."""
    mygrad, F = _ops()
    xr, xz, xn = unsafe_chunk(gi, 3, 1)
    hr, hz, hn = unsafe_chunk(F.linear(h, w_hh, b_hh), 3, 1)
    r = mygrad.sigmoid(hr + xr)
    z = mygrad.sigmoid(hz + xz)
    n = mygrad.tanh(xn + hn * r)
    return (h - n) * z + n


def step(mode: str, gi: Tensor, state: tuple, w_hh, b_hh, w_hr=None) -> tuple:
    if mode == "LSTM":
        return lstm_cell(gi, state[0], state[1], w_hh, b_hh, w_hr)
    if mode == "GRU":
        return (gru_cell(gi, state[0], w_hh, b_hh),)
    return (rnn_cell(mode, gi, state[0], w_hh, b_hh),)


# ----- the composite over a sequence -----------------------------------------------------------------

def composite_layer(mode: str, x: Tensor, state: tuple, weights: tuple, reverse: bool) -> tuple:
    """One layer and direction over a time-major ``x``: the input projected once and unbound, then the
    steps (in reverse for the backward direction); returns (the stacked outputs, the final state)."""
    mygrad, F = _ops()
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    gis = F.linear(x, w_ih, b_ih).unbind(0)
    if not gis:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    outs = []
    for gi in (reversed(gis) if reverse else gis):
        state = step(mode, gi, state, w_hh, b_hh, w_hr)
        outs.append(state[0])
    if reverse:
        outs.reverse()
    return mygrad.stack(outs, 0), state


def composite(mode: str, input: Tensor, hx: tuple, weights: list, num_layers: int, dropout: float, train: bool,
              bidirectional: bool, batch_first: bool) -> tuple:
    """torch's ``_rnn_impl``: ``hx`` holds the initial states (h, or h and c), each (layers*dirs, N, H),
    unbound per layer; returns (output, the stacked final states)."""
    mygrad, F = _ops()
    x = input.transpose(0, 1) if batch_first else input
    starts = [s.unbind(0) for s in hx]
    directions = 2 if bidirectional else 1
    finals: list = []
    for layer in range(num_layers):
        outs = []
        for direction in range(directions):
            k = layer * directions + direction
            out, state = composite_layer(mode, x, tuple(s[k] for s in starts), weights[k], direction == 1)
            outs.append(out)
            finals.append(state)
        x = outs[0] if directions == 1 else mygrad.cat(outs, outs[0].dim() - 1)
        if dropout != 0 and train and layer < num_layers - 1:
            x = F.dropout(x, dropout, True)
    if batch_first:  # (torch's RNN and GRU transpose their output in place, its LSTM does not)
        x = x.transpose(0, 1) if mode == "LSTM" else transpose_out(x, 0, 1)
    return x, tuple(mygrad.stack([f[i] for f in finals], 0) for i in range(len(hx)))


# ----- the fused LSTM layer (oneDNN's node) ----------------------------------------------------------

class _LayerState:
    """What one fused layer keeps for its backward: the direction, the forward's activations (gates after
    their nonlinearity, the states, tanh of the cell states), and the last backward's gradients (its seven
    formulas share one backward through time)."""

    __slots__ = ("reverse", "work", "has_biases", "last")

    def __init__(self, reverse: bool, work: tuple, has_biases: bool) -> None:
        self.reverse, self.work, self.has_biases = reverse, work, has_biases
        self.last: tuple | None = None


@quiet  # exp(-x) overflows to inf for very negative gates; the sigmoid is then 0, as torch's
def _fused_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse: bool) -> tuple:
    T, N, _ = x.shape
    H = w_hh.shape[1]
    xs = x[::-1] if reverse else x
    gx = (xs.reshape(T * N, -1) @ w_ih.T).reshape(T, N, 4 * H)
    if b_ih is not None:
        gx += b_ih + b_hh
    acts = np.empty_like(gx)
    hs = np.empty((T + 1, N, H), dtype=x.dtype)
    cs = np.empty((T + 1, N, H), dtype=x.dtype)
    tcs = np.empty((T, N, H), dtype=x.dtype)
    hs[0], cs[0] = h0, c0
    w_hh_t = w_hh.T
    for t in range(T):
        g = gx[t]
        g += hs[t] @ w_hh_t
        a = acts[t]
        np.negative(g, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)
        np.tanh(g[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
        c = cs[t + 1]
        np.multiply(a[:, H:2 * H], cs[t], out=c)
        c += a[:, :H] * a[:, 2 * H:3 * H]
        np.tanh(c, out=tcs[t])
        np.multiply(a[:, 3 * H:], tcs[t], out=hs[t + 1])
    out = hs[1:]
    out = np.ascontiguousarray(out[::-1]) if reverse else out.copy()
    return out, hs[T].copy(), cs[T].copy(), (acts, hs, cs, tcs)


@quiet
def _fused_backward(grads, x, w_ih, w_hh, has_bias: bool, state: _LayerState) -> tuple:
    acts, hs, cs, tcs = state.work
    d_out, dh, dc = grads[0], grads[1].copy(), grads[2].copy()
    T, N, H = tcs.shape
    if state.reverse:
        d_out = d_out[::-1]
    # everything but the recurrence, over all steps at once: each gate's slope times what multiplies it
    i, f, g, o = (acts[:, :, k * H:(k + 1) * H] for k in range(4))
    by_dc = np.empty((T, N, 3, H), dtype=acts.dtype)  # d gate / d c for the input, forget and cell gates
    np.multiply(g, i * (1 - i), out=by_dc[:, :, 0])
    np.multiply(cs[:T], f * (1 - f), out=by_dc[:, :, 1])
    np.multiply(i, 1 - g * g, out=by_dc[:, :, 2])
    by_dh = tcs * (o * (1 - o))  # d output gate / d h
    o_slope = o * (1 - tcs * tcs)  # d c / d h through h = o tanh(c)
    d_gates = np.empty_like(acts)
    per_gate = d_gates.reshape(T, N, 4, H)
    for t in range(T - 1, -1, -1):
        dh += d_out[t]
        dc += dh * o_slope[t]
        np.multiply(dc[:, None, :], by_dc[t], out=per_gate[t, :, :3])
        np.multiply(dh, by_dh[t], out=per_gate[t, :, 3])
        dc *= f[t]
        dh = d_gates[t] @ w_hh
    flat = d_gates.reshape(T * N, 4 * H)
    xs = x[::-1] if state.reverse else x
    d_w_ih = flat.T @ xs.reshape(T * N, -1)
    d_w_hh = flat.T @ hs[:T].reshape(T * N, H)
    d_x = (flat @ w_ih).reshape(x.shape)
    if state.reverse:
        d_x = np.ascontiguousarray(d_x[::-1])
    d_b = flat.sum(0) if has_bias else None
    return d_x, d_w_ih, d_w_hh, d_b, None if d_b is None else d_b.copy(), dh, dc


def fused_layer_grad(grad, input, weight0, weight1, weight2, weight3, hx_, cx_, layer: _LayerState, k: int):
    """Gradient ``k`` of the layer's seven inputs; the first formula to run computes them all."""
    last = layer.last
    if last is None or last[0] is not grad:
        last = layer.last = (grad, _fused_backward(grad, input, weight0, weight1, layer.has_biases, layer))
    return last[1][k]


def _fused_layer_grad_tensor(grad, input, weight0, weight1, weight2, weight3, hx_, cx_, layer: _LayerState, k: int):
    """Under ``create_graph``: the layer recomputed with the composite's differentiable ops and differentiated
    (torch's double backward of this node is composite as well)."""
    last = layer.last
    if last is None or last[0] is not grad:
        import mygrad
        inputs = (input, weight0, weight1, weight2, weight3, hx_, cx_)
        with mygrad.enable_grad():
            biases = (weight2, weight3) if layer.has_biases else (None, None)
            out, (h, c) = composite_layer("LSTM", input, (hx_, cx_), (weight0, weight1, *biases, None), layer.reverse)
        wanted = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
        found = iter(mygrad.autograd.grad([out, h, c], wanted, list(grad[:3]), create_graph=True,
                                          allow_unused=True, materialize_grads=True))
        last = layer.last = (grad, [next(found) if isinstance(t, Tensor) and t.requires_grad else None
                                    for t in inputs])
    return last[1][k]


formula_helper(fused_layer_grad, tensor=_fused_layer_grad_tensor)
MkldnnRnnLayerBackward0 = derivative(
    "MkldnnRnnLayerBackward0", multi_output=True, attrs="layer",
    **{name: f"fused_layer_grad(grad, input, weight0, weight1, weight2, weight3, hx_, cx_, layer, {k})"
       for k, name in enumerate(("input", "weight0", "weight1", "weight2", "weight3", "hx_", "cx_"))})


_HALF = (np.dtype(np.float16),)


def _check_onednn_dtypes(tensors: tuple) -> None:
    """oneDNN's refusal of a weight or state that is not float32 (as torch's fused layer: the input's dtype is the
    weights' by ``check_input``; a half-precision one gets oneDNN's own message; an integer bias is promoted)."""
    for t in tensors:
        kind = t._data.dtype
        if kind != np.float32:
            if kind in _HALF:
                raise RuntimeError("could not create a primitive descriptor for the LSTM forward propagation "
                                   "primitive. Run workload with environment variable ONEDNN_VERBOSE=all to get "
                                   "additional diagnostic information.")
            raise RuntimeError("get_mkldnn_dtype: unsupported data type")


def _as_read(weight: Tensor, shape: tuple) -> Tensor:
    """A weight as torch hands it to oneDNN: its data read row-major as ``shape`` (sizes from the input and the
    state), whatever its own shape (nothing on the fused path checks it; a larger one is read from its start)."""
    if tuple(weight.shape) == shape:
        return weight
    return weight.reshape(-1)[:int(np.prod(shape))].reshape(shape)


def fused_layer(x: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih, b_hh, h0: Tensor, c0: Tensor, reverse: bool) -> tuple:
    """``mkldnn_rnn_layer``: one LSTM layer and direction over a time-major contiguous ``x``."""
    gates = 4 * h0.shape[-1]
    w_ih, w_hh = _as_read(w_ih, (gates, x.shape[2])), _as_read(w_hh, (gates, h0.shape[-1]))
    if b_ih is not None:   # (torch adds the two biases before oneDNN sees them)
        check_broadcast(b_ih._data, b_hh._data)
    _check_onednn_dtypes((w_ih, w_hh, h0, c0) + tuple(b for b in (b_ih, b_hh)   # (a narrower bias is promoted)
                                                      if b is not None and b._data.dtype == np.float64))
    out, h, c, work = _fused_forward(x._data, w_ih._data, w_hh._data, None if b_ih is None else b_ih._data,
                                     None if b_hh is None else b_hh._data, h0._data, c0._data, reverse)
    # without biases torch saves zeros shaped like the weights in their place (the edges stay empty)
    saved_b_ih = b_ih if b_ih is not None else Tensor._make(np.zeros_like(w_ih._data), False, None)
    saved_b_hh = b_hh if b_hh is not None else Tensor._make(np.zeros_like(w_hh._data), False, None)
    return tuple(record_multi(MkldnnRnnLayerBackward0, (out, h, c), (x, w_ih, w_hh, b_ih, b_hh, h0, c0),
                              input=x, weight0=w_ih, weight1=w_hh, weight2=saved_b_ih, weight3=saved_b_hh, hx_=h0,
                              cx_=c0, layer=_LayerState(reverse, work, b_ih is not None)))


def fused_lstm(input: Tensor, hx: Tensor, cx: Tensor, weights: list, num_layers: int, dropout: float, train: bool,
               bidirectional: bool, batch_first: bool) -> tuple:
    """torch's ``mkldnn_rnn``: the layers' fused nodes, concatenated per direction, dropout in between."""
    mygrad, F = _ops()
    x = (input.transpose(0, 1) if batch_first else input).contiguous()
    hx, cx = hx.contiguous(), cx.contiguous()
    directions = 2 if bidirectional else 1
    hys, cys = [], []
    for layer in range(num_layers):
        outs = []
        for direction in range(directions):
            k = layer * directions + direction
            w_ih, w_hh, b_ih, b_hh, _ = weights[k]
            out, h, c = fused_layer(x, w_ih, w_hh, b_ih, b_hh, hx[k], cx[k], direction == 1)
            outs.append(out)
            hys.append(h)
            cys.append(c)
        x = outs[0] if directions == 1 else mygrad.cat(outs, -1)
        if dropout != 0 and train and layer < num_layers - 1:
            x = F.dropout(x, dropout, True)
    if batch_first:
        x = x.transpose(0, 1)
    return x, (mygrad.stack(hys, 0), mygrad.stack(cys, 0))


def uses_fused(mode: str, input: Tensor, proj_size: int) -> bool:
    """torch's ``use_mkldnn`` for an LSTM: a non-empty float32 input and no projections."""
    return mode == "LSTM" and proj_size == 0 and input._data.dtype == np.float32 and input._data.size != 0


# ----- packed input (torch's PackedLayer / ReversedPackedLayer: always the composite) ------------------

def packed_layer(mode: str, data: Tensor, batch_sizes: list, state: tuple, weights: tuple, reverse: bool) -> tuple:
    """One layer and direction over packed ``data``: step t runs on the first batch_sizes[t] sequences, so the
    state shrinks (forward: the finished sequences' states are sliced off and kept) or grows (reverse: the
    sequences that start later join from the initial state); returns (the packed outputs, the final state)."""
    mygrad, F = _ops()
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    gis = F.linear(data, w_ih, b_ih)
    outs = []
    if not reverse:
        finished = []
        offset, last = 0, batch_sizes[0]
        for size in batch_sizes:
            gi = gis.narrow(0, offset, size)
            offset += size
            if last > size:
                finished.append(tuple(s.narrow(0, size, last - size) for s in state))
                state = tuple(s.narrow(0, 0, size) for s in state)
            last = size
            state = step(mode, gi, state, w_hh, b_hh, w_hr)
            outs.append(state[0])
        finished.append(state)
        finished.reverse()
        final = tuple(mygrad.cat([f[i] for f in finished], 0) for i in range(len(state)))
        return mygrad.cat(outs, 0), final
    offset, last = data.size(0), batch_sizes[-1]
    hidden = tuple(s.narrow(0, 0, last) for s in state)
    for size in reversed(batch_sizes):
        if size > last:
            hidden = tuple(mygrad.cat([h, s.narrow(0, last, size - last)], 0) for h, s in zip(hidden, state))
        gi = gis.narrow(0, offset - size, size)
        offset -= size
        last = size
        hidden = step(mode, gi, hidden, w_hh, b_hh, w_hr)
        outs.append(hidden[0])
    outs.reverse()
    return mygrad.cat(outs, 0), hidden


def packed(mode: str, data: Tensor, batch_sizes: Tensor, hx: tuple, weights: list, num_layers: int, dropout: float,
           train: bool, bidirectional: bool) -> tuple:
    """torch's ``_rnn_impl`` over a PackedSequence's data: (packed output data, the stacked final states)."""
    mygrad, F = _ops()
    sizes = [int(b) for b in batch_sizes._data]
    starts = [s.unbind(0) for s in hx]
    directions = 2 if bidirectional else 1
    finals: list = []
    x = data
    for layer in range(num_layers):
        outs = []
        for direction in range(directions):
            k = layer * directions + direction
            out, state = packed_layer(mode, x, sizes, tuple(s[k] for s in starts), weights[k], direction == 1)
            outs.append(out)
            finals.append(state)
        x = outs[0] if directions == 1 else mygrad.cat(outs, -1)
        if dropout != 0 and train and layer < num_layers - 1:
            x = F.dropout(x, dropout, True)
    return x, tuple(mygrad.stack([f[i] for f in finals], 0) for i in range(len(hx)))
