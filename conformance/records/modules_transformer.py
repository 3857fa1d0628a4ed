"""Module records for ``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer`` and ``nn.TransformerDecoderLayer``
(training-mode composites).

The module is built in both libraries with dropout 0, its parameters drawn and loaded under torch's key
names (``load_state_dict(assign=True)``: the leaves are the parameters, so their gradients, edges and flags
are checked as inputs'), train or eval mode (eval with parameters that require grad is still torch's
composite, not its fast path).  Self-attention passes one tensor as query, key and value (torch's packed
projection); otherwise key and value are separate tensors (kdim/vdim drawn now and then: separate
projection weights).  Bool key-padding masks never hide every key of a batch element.  The layers' records
draw d_model >= 3, distinct values away from 0 and LayerNorm weights in [0.5, 1.5]: otherwise float32
rounding alone (a nearly constant row under LayerNorm, a ReLU fed an exact zero) decides torch's gradients.
The call returns ``(output, [weights,] repr(module), the state_dict's keys, *the state_dict's values)``.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, nonzero, positive, real
from .modules import _Dtype, _resolve_options
from .nn import LINEAR_BLAS

VALUES = real(-1.0, 1.0, special=())
AWAY = nonzero(1.0, gap=0.05)   # the layers' values: no subnormal weight puts a ReLU at its kink by rounding
SCALES = positive(0.5, 1.5)   # LayerNorm weights: a weight near 0 makes the next norm's row nearly constant
TOL = {"float32": (1e-4, 1e-5)}


def attention_call(lib, *tensors, module: str, args: tuple, options: dict, params: tuple, inputs: int,
                   train: bool, forward: dict, masks: dict):
    m = getattr(lib.nn, module)(*args, **_resolve_options(lib, options))
    m.load_state_dict(dict(zip(params, tensors[inputs:])), strict=True, assign=True)
    m.train(train)
    xs = tensors[:inputs]
    extra = {k: lib.tensor(v) for k, v in masks.items()}
    if module == "MultiheadAttention":
        q, k, v = (xs[0], xs[0], xs[0]) if inputs == 1 else xs
        out, weights = m(q, k, v, **extra, **forward)
        outs = (out,) if weights is None else (out, weights)
    else:
        outs = (m(*xs, **extra, **forward),)
    state = m.state_dict()
    return (*outs, repr(m), " ".join(state), *state.values())


def _tensor(dtype: str, shape, flag: bool = True, parameter: bool = False, distinct: bool = False,
            domain=VALUES):
    return arrays(dtype, tuple(shape), domain, distinct=distinct).map(
        lambda a: TensorArg(a, flag, parameter=parameter))


def _padding(n: int, s: int, seed: int) -> np.ndarray:
    """A key-padding mask hiding a suffix of each row, never a whole row."""
    rng = np.random.default_rng(seed)
    keep = rng.integers(1, s + 1, size=n)
    return np.arange(s)[None, :] >= keep[:, None]


def mha_module():
    """MultiheadAttention(E = heads * head_dim, heads, bias, add_bias_kv, add_zero_attn, kdim, vdim,
    batch_first) on (L, N, E) inputs (or unbatched), need_weights either way, average or per head, a
    key-padding mask and/or a causal attn_mask now and then."""
    def build(dtype: str):
        def make(d):
            (heads, head_dim, L, S, n, unbatched, self_attn, kv_dims, bias, bias_kv, zero_attn, batch_first,
             need_weights, average, mask_kind, train, seed) = d
            E = heads * head_dim
            kdim, vdim = (E + 1, E + 2) if kv_dims and not self_attn else (E, E)
            S = L if self_attn else S

            def shape(length, width):
                if unbatched:
                    return (length, width)
                return (n, length, width) if batch_first else (length, n, width)
            xs = [_tensor(dtype, shape(L, E))] if self_attn else [
                _tensor(dtype, shape(L, E)), _tensor(dtype, shape(S, kdim)), _tensor(dtype, shape(S, vdim))]
            names = ["in_proj_weight"] if kdim == E and vdim == E else ["q_proj_weight", "k_proj_weight",
                                                                         "v_proj_weight"]
            shapes = [(3 * E, E)] if names == ["in_proj_weight"] else [(E, E), (E, kdim), (E, vdim)]
            if bias:
                names += ["in_proj_bias"]
                shapes += [(3 * E,)]
            if bias_kv:
                names += ["bias_k", "bias_v"]
                shapes += [(1, 1, E), (1, 1, E)]
            names += ["out_proj.weight"] + (["out_proj.bias"] if bias else [])
            shapes += [(E, E)] + ([(E,)] if bias else [])
            params = [_tensor(dtype, s, True, parameter=True) for s in shapes]
            masks = {}
            if mask_kind in ("padding", "both"):
                pad = _padding(n, S, seed)
                masks["key_padding_mask"] = pad[0] if unbatched else pad
            if mask_kind in ("causal", "both"):
                masks["attn_mask"] = np.triu(np.ones((L, S), dtype=bool), 1)
            forward = {"need_weights": need_weights, "average_attn_weights": average}
            options = {"bias": bias, "add_bias_kv": bias_kv, "add_zero_attn": zero_attn, "kdim": kdim, "vdim": vdim,
                       "batch_first": batch_first, "dtype": _Dtype(dtype)}
            return st.tuples(*xs, *params).map(lambda ts: Example(tuple(ts), {
                "module": "MultiheadAttention", "args": (E, heads), "options": options, "params": tuple(names),
                "inputs": len(xs), "train": train, "forward": forward, "masks": masks}))
        return st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
                         st.integers(1, 2), st.sampled_from([False] * 4 + [True]), st.booleans(), st.booleans(),
                         st.sampled_from([True] * 3 + [False]), st.sampled_from([False] * 3 + [True]),
                         st.sampled_from([False] * 3 + [True]), st.booleans(), st.booleans(), st.booleans(),
                         st.sampled_from(["none", "padding", "causal", "both"]), st.booleans(),
                         st.integers(0, 1000)).flatmap(make)
    return build


def _attention_spec(prefix: str, E: int) -> list:
    return [(f"{prefix}.in_proj_weight", (3 * E, E)), (f"{prefix}.in_proj_bias", (3 * E,)),
            (f"{prefix}.out_proj.weight", (E, E)), (f"{prefix}.out_proj.bias", (E,))]


def encoder_layer_module(decoder: bool = False):
    """TransformerEncoderLayer / TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout=0, relu/gelu,
    eps, batch_first, norm_first, bias) on (S, N, E) inputs (the decoder: and a memory of its own length),
    with padding masks and/or a causal mask now and then."""
    module = "TransformerDecoderLayer" if decoder else "TransformerEncoderLayer"

    def build(dtype: str):
        def make(d):
            (heads, head_dim), ff, S, n, activation, batch_first, norm_first, bias, mask_kind, train, seed = d
            E = heads * head_dim
            M = S % 3 + 1   # the decoder's memory length
            shape = (n, S, E) if batch_first else (S, n, E)
            memory = (n, M, E) if batch_first else (M, n, E)
            spec = _attention_spec("self_attn", E) + (_attention_spec("multihead_attn", E) if decoder else [])
            spec += [("linear1.weight", (ff, E)), ("linear1.bias", (ff,)), ("linear2.weight", (E, ff)),
                     ("linear2.bias", (E,))]
            spec += [(f"norm{i}.{p}", (E,)) for i in range(1, 4 if decoder else 3) for p in ("weight", "bias")]
            if not bias:
                spec = [(k, s) for k, s in spec if not k.endswith("bias")]
            masks = {}
            names = ("tgt_key_padding_mask", "tgt_mask") if decoder else ("src_key_padding_mask", "src_mask")
            if mask_kind in ("padding", "both"):
                masks[names[0]] = _padding(n, S, seed)
                if decoder:
                    masks["memory_key_padding_mask"] = _padding(n, M, seed + 1)
            if mask_kind in ("causal", "both"):
                masks[names[1]] = np.triu(np.ones((S, S), dtype=bool), 1)
            options = {"dim_feedforward": ff, "dropout": 0.0, "activation": activation, "batch_first": batch_first,
                       "norm_first": norm_first, "bias": bias, "dtype": _Dtype(dtype)}
            # inputs with a gap between values (as the norm records draw them): a LayerNorm over a nearly
            # constant row has a variance made of rounding, and a gradient scaled by 1/sqrt(eps)
            xs = [_tensor(dtype, shape, distinct=True, domain=AWAY)] + (
                [_tensor(dtype, memory, distinct=True, domain=AWAY)] if decoder else [])
            # distinct values: equal weights make a sum of normalised features (exactly 0) feed a ReLU, whose
            # side is then chosen by rounding
            params = [_tensor(dtype, s, True, parameter=True, distinct=True, domain=SCALES if k.startswith("norm")
                              and k.endswith("weight") else AWAY) for k, s in spec]
            return st.tuples(*xs, *params).map(
                lambda ts: Example(tuple(ts), {
                    "module": module, "args": (E, heads), "options": options,
                    "params": tuple(k for k, _ in spec), "inputs": len(xs), "train": train, "forward": {},
                    "masks": masks}))
        # d_model >= 3: over one or two features LayerNorm's output is (nearly) constant, and the gradients
        # below it are float32 rounding noise in torch (6e-5 where the exact value is 0)
        return st.tuples(st.sampled_from([(1, 3), (2, 2), (1, 4), (2, 3)]), st.integers(1, 4), st.integers(1, 3),
                         st.integers(1, 2), st.sampled_from(["relu", "gelu"]), st.booleans(), st.booleans(),
                         st.sampled_from([True] * 3 + [False]), st.sampled_from(["none", "padding", "causal", "both"]),
                         st.booleans(), st.integers(0, 1000)).flatmap(make)
    return build


# Hostile values through the projections and the attention's matrix products: NaN, ±inf and -0.0, but neither
# extremes nor subnormals, whose sums torch's BLAS (MKL) rounds by a kernel it picks per shape.  Near the largest
# float a sum of products cancels by the gemm's order (measured, float32, one head of width 1: a query of
# 3.4028235e+38 makes in_proj_bias's gradient 1.2e-39 in torch, -2.0e+31 through BLAS).  Products of subnormals
# are rounded one by one for some shapes and fused for others (measured on float64 products of multiples of
# 5e-324: torch.mm of (8, 8) @ (8, 8) adds the rounded products in k's order, (8, 8) @ (8, 16) does not, and
# NumPy's OpenBLAS fuses both), and an inf v_proj_weight past such a sum makes -5e-324 against 0 into -inf
# against NaN.
MHA_ROUNDING = (("hostile: rounding", "sums of products near the largest float or of subnormals round as the "
                                      "BLAS kernel torch's MKL picks for the shape does (measured: mm (8,8)@(8,8) "
                                      "rounds each subnormal product, (8,8)@(8,16) fuses them; a query of ±max "
                                      "gives an in_proj_bias gradient 1.2e-39 in torch, -2.0e31 through BLAS)"),)


def _record(module: str, example, **fields) -> Record:
    return Record(module, example, forms=("call",), namespace="nn", call=attention_call, label=f"nn.{module}",
                  output="tuple", tolerance=TOL, **fields)


RECORDS = [
    _record("MultiheadAttention", mha_module(), unchecked=MHA_ROUNDING),
    # (their projections and feed-forward layers are F.linear: an overflowing sum is MKL's, nn.LINEAR_BLAS)
    _record("TransformerEncoderLayer", encoder_layer_module(), unchecked=LINEAR_BLAS),
    _record("TransformerDecoderLayer", encoder_layer_module(decoder=True), unchecked=LINEAR_BLAS),
]
