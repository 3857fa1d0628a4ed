"""nn.MultiheadAttention, nn.TransformerEncoderLayer and nn.TransformerEncoder against torch: each module is
built in both libraries with torch's state loaded into mygrad's, run on the same inputs, and compared on
parameter names and order, state_dict keys, repr, outputs, the grad_fn graph (training-mode composite),
and the gradients of every input and parameter.  Eval mode without gradients is torch's fast path
(_native_multi_head_attention, _transformer_encoder_layer_fwd, nested tensors): values compared."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import mygrad

RNG = np.random.default_rng(0)


def _graph(fn) -> list:
    """The grad_fn tree as (depth, name) rows, down to the leaves."""
    rows: list = []

    def walk(node, depth):
        if node is None:
            rows.append((depth, None))
            return
        rows.append((depth, node.name().replace("torch::autograd::", "")))
        for child, _ in node.next_functions:
            walk(child, depth + 1)
    walk(fn, 0)
    return rows


def _pair(ctor: str, *args, **kwargs):
    """The module in torch (seeded) and in mygrad, mygrad's state loaded from torch's."""
    torch.manual_seed(0)
    with warnings.catch_warnings(record=True) as caught_t:
        warnings.simplefilter("always")
        tm = _build(torch, ctor, args, kwargs)
    with warnings.catch_warnings(record=True) as caught_m:
        warnings.simplefilter("always")
        mm = _build(mygrad, ctor, args, kwargs)
    assert [str(w.message) for w in caught_m] == [str(w.message) for w in caught_t]
    assert [n for n, _ in mm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert [tuple(p.shape) for p in mm.parameters()] == [tuple(p.shape) for p in tm.parameters()]
    assert repr(mm) == repr(tm)
    mm.load_state_dict({k: mygrad.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, mm


def _build(lib, ctor, args, kwargs):
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("dtype"), str):
        kwargs["dtype"] = getattr(lib, kwargs["dtype"])
    if "decoder_layer" in kwargs:
        layer_args, layer_kwargs = kwargs.pop("decoder_layer")
        layer = _build(lib, "TransformerDecoderLayer", layer_args, layer_kwargs)
        return lib.nn.TransformerDecoder(layer, *args, **kwargs)
    if "encoder_layer" in kwargs:
        layer_args, layer_kwargs = kwargs.pop("encoder_layer")
        layer = _build(lib, "TransformerEncoderLayer", layer_args, layer_kwargs)
        norm = kwargs.pop("norm", None)
        if norm is not None:
            kwargs["norm"] = lib.nn.LayerNorm(norm, dtype=getattr(lib, layer_kwargs.get("dtype", "float32")))
        return lib.nn.TransformerEncoder(layer, *args, **kwargs)
    if kwargs.get("activation") == "module_gelu":
        kwargs["activation"] = lib.nn.GELU()
    elif kwargs.get("activation") == "callable":
        kwargs["activation"] = lib.tanh
    return getattr(lib.nn, ctor)(*args, **kwargs)


def _tensors(lib, arrays, grad=True):
    return [None if a is None else lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]


def _compare(tm, mm, call, arrays, masks=(), train=True, grad=True, graph=True, tol=1e-5):
    """Run ``call(module, *inputs, *masks)`` in both libraries and compare everything."""
    tm.train(train)
    mm.train(train)
    outs = []
    for lib, m in ((torch, tm), (mygrad, mm)):
        xs = _tensors(lib, arrays, grad)
        ms = [None if a is None else lib.tensor(a) for a in masks]
        if grad:
            out = call(m, *xs, *ms)
        else:
            with lib.no_grad():
                out = call(m, *xs, *ms)
        out = out if isinstance(out, tuple) else (out,)
        grads = None
        if grad:
            first = out[0]
            upstream = lib.tensor(np.linspace(-1, 1, first.numel()).reshape(tuple(first.shape)).astype(np.float64))
            (first * upstream.to(first.dtype)).sum().backward()
            grads = [x.grad for x in xs if x is not None and x.requires_grad] + [p.grad for p in m.parameters()]
        outs.append((out, grads))
    (t_out, t_grads), (m_out, m_grads) = outs
    assert len(t_out) == len(m_out)
    for a, b in zip(t_out, m_out):
        if a is None:
            assert b is None
            continue
        assert tuple(b.shape) == tuple(a.shape) and str(b.dtype) == str(a.dtype)
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=tol, atol=tol)
        if graph and grad:
            assert _graph(b.grad_fn) == _graph(a.grad_fn)
        if not grad:
            assert b.grad_fn is None and a.grad_fn is None
    if grad:
        for a, b in zip(t_grads, m_grads):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=tol, atol=tol)
    return t_out, m_out


def _x(*shape):
    return RNG.standard_normal(shape)


def _mha(m, q, k, v, *masks, **kwargs):
    kpm, am = (list(masks) + [None, None])[:2]
    return m(q, k, v, key_padding_mask=kpm, attn_mask=am, **kwargs)


def _self(m, x, *masks, **kwargs):
    kpm, am = (list(masks) + [None, None])[:2]
    return m(x, x, x, key_padding_mask=kpm, attn_mask=am, **kwargs)


PAD = np.array([[False, False, False, True], [False, False, False, False]])
CAUSAL_BOOL = np.triu(np.ones((4, 4), dtype=bool), 1)


# ----- MultiheadAttention ------------------------------------------------------------------------------

def test_mha_init_matches_torch_scheme():
    m = mygrad.nn.MultiheadAttention(16, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (16 + 48))
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and w.std() > bound / 3
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    assert m.bias_k.shape == (1, 1, 16) and m.bias_k.detach().numpy().any()
    with pytest.raises(AssertionError, match="divisible"):
        mygrad.nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="greater than 0"):
        mygrad.nn.MultiheadAttention(0, 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mha_self_attention_with_weights(dtype):
    tm, mm = _pair("MultiheadAttention", 8, 2, dtype=dtype.__name__)
    _compare(tm, mm, _self, [_x(4, 2, 8).astype(dtype)], tol=1e-4 if dtype == np.float32 else 1e-6)


def test_mha_batch_first_sdpa_path_with_masks():
    tm, mm = _pair("MultiheadAttention", 8, 2, batch_first=True, dtype="float64")
    _compare(tm, mm, lambda m, x, *ms: _self(m, x, *ms, need_weights=False), [_x(2, 4, 8)], masks=(PAD, CAUSAL_BOOL))


def test_mha_float_masks_need_weights_per_head():
    tm, mm = _pair("MultiheadAttention", 8, 4, dtype="float64")
    kpm = np.where(PAD, -1e9, 0.0)
    am = _x(2 * 4, 4, 4)
    _compare(tm, mm, lambda m, x, *ms: _self(m, x, *ms, average_attn_weights=False), [_x(4, 2, 8)],
             masks=(kpm, am))


def test_mha_cross_attention_kdim_vdim():
    tm, mm = _pair("MultiheadAttention", 8, 2, kdim=5, vdim=3, dtype="float64")
    assert [n for n, _ in mm.named_parameters()][:3] == ["q_proj_weight", "k_proj_weight", "v_proj_weight"]
    _compare(tm, mm, _mha, [_x(3, 2, 8), _x(4, 2, 5), _x(4, 2, 3)], masks=(PAD,))
    _compare(tm, mm, lambda m, *a: _mha(m, *a, need_weights=False), [_x(3, 2, 8), _x(4, 2, 5), _x(4, 2, 3)])


def test_mha_encoder_decoder_attention_packed():
    """key is value, query differs: the packed weight split into q and kv projections."""
    tm, mm = _pair("MultiheadAttention", 8, 2, dtype="float64")

    def call(m, q, kv):
        return m(q, kv, kv)
    _compare(tm, mm, call, [_x(3, 2, 8), _x(5, 2, 8)])


def test_mha_bias_kv_zero_attn_no_bias():
    tm, mm = _pair("MultiheadAttention", 8, 2, add_bias_kv=True, add_zero_attn=True, bias=False,
                   dtype="float64")
    _compare(tm, mm, _self, [_x(4, 2, 8)], masks=(PAD, CAUSAL_BOOL))
    _compare(tm, mm, lambda m, x, *ms: _self(m, x, *ms, need_weights=False), [_x(4, 2, 8)], masks=(PAD,))


def test_mha_unbatched_and_causal_hint():
    tm, mm = _pair("MultiheadAttention", 8, 2, dtype="float64")
    _compare(tm, mm, _self, [_x(4, 8)], masks=(PAD[0],))
    causal = np.where(CAUSAL_BOOL, -np.inf, 0.0)
    _compare(tm, mm, lambda m, x, *ms: _self(m, x, None, *ms, need_weights=False, is_causal=True), [_x(4, 2, 8)],
             masks=(causal,))


def test_mha_errors():
    for lib in (torch, mygrad):
        m = lib.nn.MultiheadAttention(8, 2)
        x = lib.zeros(4, 2, 8)
        with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
            m(x, lib.zeros(4, 8), lib.zeros(4, 8))
        with pytest.raises(RuntimeError, match="Need attn_mask"):
            m(x, x, x, is_causal=True)
        with pytest.raises(RuntimeError, match="The shape of the 2D attn_mask"):
            m(x, x, x, attn_mask=lib.zeros(3, 4))
        with pytest.raises(AssertionError, match="only bool and floating types"):
            m(x, x, x, attn_mask=lib.zeros(4, 4, dtype=lib.int64))
        with pytest.raises(AssertionError, match="was expecting embedding dimension"):
            m(lib.zeros(4, 2, 6), lib.zeros(4, 2, 6), lib.zeros(4, 2, 6))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_eval_fast_path_values(need_weights):
    tm, mm = _pair("MultiheadAttention", 8, 2, batch_first=True, dropout=0.3)
    _compare(tm, mm, lambda m, x, *ms: _self(m, x, *ms, need_weights=need_weights),
             [_x(2, 4, 8).astype(np.float32)], masks=(PAD,), train=False, grad=False, tol=1e-5)


# ----- TransformerEncoderLayer / TransformerEncoder ------------------------------------------------------

LAYER_OPTIONS = [
    dict(),
    dict(batch_first=True, activation="gelu"),
    dict(norm_first=True, activation="module_gelu"),
    dict(bias=False, layer_norm_eps=1e-3, activation="callable"),
]


@pytest.mark.parametrize("options", LAYER_OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_encoder_layer_training(options):
    tm, mm = _pair("TransformerEncoderLayer", 8, 2, 16, 0.0, dtype="float64", **options)
    shape = (2, 4, 8) if options.get("batch_first") else (4, 2, 8)

    def call(m, x, *ms):
        return m(x, src_mask=ms[1] if len(ms) > 1 else None, src_key_padding_mask=ms[0] if ms else None)
    _compare(tm, mm, call, [_x(*shape)])
    _compare(tm, mm, call, [_x(*shape)], masks=(PAD, CAUSAL_BOOL))


def test_encoder_layer_causal_and_eval_fast_path():
    tm, mm = _pair("TransformerEncoderLayer", 8, 2, 16, batch_first=True)
    causal = np.where(CAUSAL_BOOL, -np.inf, 0.0).astype(np.float32)
    tm.dropout.p = mm.dropout.p = tm.dropout1.p = mm.dropout1.p = tm.dropout2.p = mm.dropout2.p = 0.0
    tm.self_attn.dropout = mm.self_attn.dropout = 0.0
    _compare(tm, mm, lambda m, x, c: m(x, src_mask=c, is_causal=True), [_x(2, 4, 8).astype(np.float32)],
             masks=(causal,), tol=1e-4)
    _compare(tm, mm, lambda m, x, p: m(x, src_key_padding_mask=p), [_x(2, 4, 8).astype(np.float32)],
             masks=(PAD,), train=False, grad=False, tol=1e-4)


@pytest.mark.parametrize("nested", [True, False])
def test_encoder_stack(nested):
    layer = ((8, 2, 16, 0.0), dict(batch_first=True, dtype="float64"))
    tm, mm = _pair("TransformerEncoder", 2, encoder_layer=layer, norm=8, enable_nested_tensor=nested)

    def call(m, x, *ms):
        return m(x, mask=ms[1] if len(ms) > 1 else None, src_key_padding_mask=ms[0] if ms else None)
    _compare(tm, mm, call, [_x(2, 4, 8)], masks=(PAD,))
    causal = np.where(CAUSAL_BOOL, -np.inf, 0.0)
    _compare(tm, mm, lambda m, x, c: m(x, mask=c), [_x(2, 4, 8)], masks=(causal,))   # is_causal detected
    # eval without gradients: torch's nested-tensor fast path (zeros at the padded positions)
    t_out, m_out = _compare(tm, mm, call, [_x(2, 4, 8)], masks=(PAD,), train=False, grad=False)


def test_encoder_warns_when_nested_tensors_cannot_be_used():
    layer = ((9, 3, 16), dict())
    _pair("TransformerEncoder", 1, encoder_layer=layer)   # the warning texts are compared inside


def test_encoder_layer_fast_path_nan_where_no_key_is_left():
    """torch's fused encoder layer gives NaN for a query whose keys are all masked (the composite does not)."""
    tm, mm = _pair("TransformerEncoderLayer", 8, 2, 16, batch_first=True)
    full = np.array([[True] * 4, [False, False, True, True]])
    t_out, m_out = _compare(tm, mm, lambda m, x, p: m(x, src_key_padding_mask=p), [_x(2, 4, 8).astype(np.float32)],
                            masks=(full,), train=False, grad=False, tol=1e-4)
    assert np.isnan(m_out[0].numpy()[0]).all() and not np.isnan(m_out[0].numpy()[1]).any()
    causal_rows = np.triu(np.ones((4, 4), dtype=bool), 0)   # row 0 sees no key
    _compare(tm, mm, lambda m, x, c: m(x, src_mask=c), [_x(2, 4, 8).astype(np.float32)], masks=(causal_rows,),
             train=False, grad=False, tol=1e-4)


# ----- TransformerDecoderLayer / TransformerDecoder / Transformer --------------------------------------

@pytest.mark.parametrize("options", LAYER_OPTIONS, ids=lambda o: ",".join(o) or "default")
def test_decoder_layer_training(options):
    tm, mm = _pair("TransformerDecoderLayer", 8, 2, 16, 0.0, dtype="float64", **options)
    bf = options.get("batch_first")
    tgt, mem = ((2, 4, 8), (2, 5, 8)) if bf else ((4, 2, 8), (5, 2, 8))
    mem_pad = np.array([[False] * 4 + [True], [False] * 5])

    def call(m, t, mm_, *ms):
        return m(t, mm_, tgt_mask=ms[1] if len(ms) > 1 else None, tgt_key_padding_mask=ms[0] if ms else None,
                 memory_key_padding_mask=ms[2] if len(ms) > 2 else None)
    _compare(tm, mm, call, [_x(*tgt), _x(*mem)])
    _compare(tm, mm, call, [_x(*tgt), _x(*mem)], masks=(PAD, CAUSAL_BOOL, mem_pad))
    _compare(tm, mm, call, [_x(*tgt), _x(*mem)], masks=(PAD,), train=False, grad=False)


def test_decoder_stack_detects_causal_mask():
    layer = ((8, 2, 16, 0.0), dict(dtype="float64"))
    tm, mm = _pair("TransformerDecoder", 2, decoder_layer=layer)
    causal = np.where(CAUSAL_BOOL, -np.inf, 0.0)
    _compare(tm, mm, lambda m, t, mem, c: m(t, mem, tgt_mask=c), [_x(4, 2, 8), _x(3, 2, 8)], masks=(causal,))


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer(batch_first):
    tm, mm = _pair("Transformer", 8, 2, 2, 1, 16, 0.0, batch_first=batch_first, dtype="float64")
    src, tgt = ((2, 5, 8), (2, 4, 8)) if batch_first else ((5, 2, 8), (4, 2, 8))
    for lib in (torch, mygrad):
        mask = lib.nn.Transformer.generate_square_subsequent_mask(4, dtype=lib.float64)
        assert mask.dtype == lib.float64 and np.isneginf(mask.numpy()).sum() == 6
    causal = np.where(CAUSAL_BOOL, -np.inf, 0.0)
    _compare(tm, mm, lambda m, s_, t, c: m(s_, t, tgt_mask=c), [_x(*src), _x(*tgt)], masks=(causal,))
    for lib, m in ((torch, tm), (mygrad, mm)):
        with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
            m(lib.zeros(*src[:2], 6, dtype=lib.float64), lib.zeros(*tgt[:2], 6, dtype=lib.float64))
        with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
            m(lib.zeros(3, 3, 8, dtype=lib.float64), lib.zeros(*tgt, dtype=lib.float64))
