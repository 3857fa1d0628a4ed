"""nn.RNN/LSTM/GRU and their cells against torch, side by side, on fixed larger cases than the conformance
rows draw (conformance/records/modules_rnn.py: graphs, flags, double backward, forward AD): the values, every
gradient, shapes, state_dict keys and repr are compared here."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import mygrad

ATOL = {np.float64: 1e-10, np.float32: 1e-4}


def _pair(name, args, kwargs, dtype):
    """The module in both libraries, mygrad's given torch's weights (state_dict copied)."""
    t = getattr(torch.nn, name)(*args, **kwargs)
    t = t.double() if dtype == np.float64 else t
    m = getattr(mygrad.nn, name)(*args, **kwargs)
    m = m.double() if dtype == np.float64 else m
    m.load_state_dict({k: mygrad.tensor(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    return t, m


def _flat(out):
    if isinstance(out, tuple):
        return [x for o in out for x in _flat(o)]
    return [out]


def _compare(t, m, t_inputs, m_inputs, dtype, train=True):
    assert repr(t) == repr(m)
    assert list(t.state_dict()) == list(m.state_dict())
    t.train(train), m.train(train)
    t_out, m_out = _flat(t(*t_inputs)), _flat(m(*m_inputs))
    assert len(t_out) == len(m_out)
    rng = np.random.default_rng(0)
    seeds = [rng.standard_normal(tuple(o.shape)).astype(dtype) for o in t_out]
    for a, b in zip(t_out, m_out):
        assert tuple(a.shape) == tuple(b.shape)
        assert a.dtype == getattr(torch, str(b.dtype).split(".")[-1])
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), atol=ATOL[dtype], rtol=1e-5)
    torch.autograd.backward(t_out, [torch.tensor(s) for s in seeds])
    mygrad.autograd.backward(m_out, [mygrad.tensor(s) for s in seeds])
    leaves = [(f"input {i}", a, b) for i, (a, b) in enumerate(zip(_flat(t_inputs), _flat(m_inputs)))]
    leaves += [(n, p, m.get_parameter(n)) for n, p in t.named_parameters()]
    for name, a, b in leaves:
        if a.grad is None:
            assert b.grad is None, name
        else:
            np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=ATOL[dtype] * 10, rtol=1e-5,
                                       err_msg=name)


def _leaf(lib, array):
    return lib.tensor(array, requires_grad=True)


MODES = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}), ("LSTM", {"proj_size": 2})]
LAYOUTS = list(itertools.product([1, 2], [True, False], [False, True], [False, True]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layers,bias,batch_first,bidirectional", LAYOUTS)
@pytest.mark.parametrize("name,extra", MODES)
def test_layers_match_torch(name, extra, layers, bias, batch_first, bidirectional, dtype):
    torch.manual_seed(layers * 7 + bias)
    rng = np.random.default_rng(3)
    kwargs = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional, **extra)
    t, m = _pair(name, (3, 4), kwargs, dtype)
    steps, batch = 5, 2
    x = rng.standard_normal((batch, steps, 3) if batch_first else (steps, batch, 3)).astype(dtype)
    _compare(t, m, (_leaf(torch, x),), (_leaf(mygrad, x),), dtype)
    # given initial states
    d = 2 if bidirectional else 1
    h_size = extra.get("proj_size", 4)
    h0 = rng.standard_normal((layers * d, batch, h_size)).astype(dtype)
    t, m = _pair(name, (3, 4), kwargs, dtype)
    if name == "LSTM":
        c0 = rng.standard_normal((layers * d, batch, 4)).astype(dtype)
        _compare(t, m, (_leaf(torch, x), (_leaf(torch, h0), _leaf(torch, c0))),
                 (_leaf(mygrad, x), (_leaf(mygrad, h0), _leaf(mygrad, c0))), dtype)
    else:
        _compare(t, m, (_leaf(torch, x), _leaf(torch, h0)), (_leaf(mygrad, x), _leaf(mygrad, h0)), dtype)


@pytest.mark.parametrize("name,extra", MODES)
@pytest.mark.parametrize("given", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input(name, extra, given, batch_first):
    rng = np.random.default_rng(1)
    t, m = _pair(name, (3, 4), dict(num_layers=2, bidirectional=True, batch_first=batch_first, **extra),
                 np.float64)
    x = rng.standard_normal((5, 3))
    if not given:
        _compare(t, m, (_leaf(torch, x),), (_leaf(mygrad, x),), np.float64)
        return
    h0 = rng.standard_normal((4, extra.get("proj_size", 4)))
    if name == "LSTM":
        c0 = rng.standard_normal((4, 4))
        _compare(t, m, (_leaf(torch, x), (_leaf(torch, h0), _leaf(torch, c0))),
                 (_leaf(mygrad, x), (_leaf(mygrad, h0), _leaf(mygrad, c0))), np.float64)
    else:
        _compare(t, m, (_leaf(torch, x), _leaf(torch, h0)), (_leaf(mygrad, x), _leaf(mygrad, h0)), np.float64)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("p,train", [(1.0, True), (0.5, False), (0.0, True)])
def test_dropout_between_layers_deterministic_cases(name, p, train):
    """p=1 in training zeroes every layer's input but the first's (as torch), eval mode ignores p."""
    x = np.random.default_rng(2).standard_normal((4, 2, 3))
    t, m = _pair(name, (3, 4), {"num_layers": 3, "dropout": p}, np.float64)
    _compare(t, m, (_leaf(torch, x),), (_leaf(mygrad, x),), np.float64, train=train)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers_statistics(name):
    """Random masks cannot match torch's; in training the output differs from eval's, and a layer
    after a p=0.5 dropout sees inputs that are zero about half the time (checked on the hook below)."""
    m = getattr(mygrad.nn, name)(3, 50, num_layers=2, dropout=0.5).double()
    x = mygrad.tensor(np.random.default_rng(4).standard_normal((6, 20, 3)))
    seen = []
    import mygrad.nn.functional as F
    original = F.dropout

    def spy(input, p=0.5, training=True, inplace=False):
        out = original(input, p, training, inplace)
        seen.append((input.detach().numpy(), out.detach().numpy()))
        return out
    F.dropout = spy
    try:
        m.train()
        m(x)
    finally:
        F.dropout = original
    (before, after), = seen
    zeroed = np.mean(after == 0)
    assert 0.4 < zeroed < 0.6
    kept = after != 0
    np.testing.assert_allclose(after[kept], before[kept] * 2)


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}), ("GRUCell", {}),
         ("GRUCell", {"bias": False}), ("LSTMCell", {}), ("LSTMCell", {"bias": False})]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given", [False, True])
@pytest.mark.parametrize("name,extra", CELLS)
def test_cells_match_torch(name, extra, given, batched, dtype):
    rng = np.random.default_rng(5)
    t, m = _pair(name, (3, 4), extra, dtype)
    lead = (2,) if batched else ()
    x = rng.standard_normal((*lead, 3)).astype(dtype)
    if not given:
        _compare(t, m, (_leaf(torch, x),), (_leaf(mygrad, x),), dtype)
        return
    h = rng.standard_normal((*lead, 4)).astype(dtype)
    if name == "LSTMCell":
        c = rng.standard_normal((*lead, 4)).astype(dtype)
        _compare(t, m, (_leaf(torch, x), (_leaf(torch, h), _leaf(torch, c))),
                 (_leaf(mygrad, x), (_leaf(mygrad, h), _leaf(mygrad, c))), dtype)
    else:
        _compare(t, m, (_leaf(torch, x), _leaf(torch, h)), (_leaf(mygrad, x), _leaf(mygrad, h)), dtype)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell"])
def test_initialisation_bounds_and_shapes(name):
    t, m = getattr(torch.nn, name)(5, 9), getattr(mygrad.nn, name)(5, 9)
    if hasattr(t, "all_weights"):
        assert [[tuple(w.shape) for w in ws] for ws in t.all_weights] == [
            [tuple(w.shape) for w in ws] for ws in m.all_weights]
    for (tn, tp), (mn, mp) in zip(t.named_parameters(), m.named_parameters()):
        assert tn == mn and tuple(tp.shape) == tuple(mp.shape)
        assert isinstance(mp, mygrad.nn.Parameter)
        assert np.abs(mp.detach().numpy()).max() <= 1 / 3


def _raises(fn_torch, fn_mygrad):
    with pytest.raises(Exception) as te:
        fn_torch()
    with pytest.raises(type(te.value)) as me:
        fn_mygrad()
    assert str(me.value) == str(te.value)


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 2, 4)),
    lambda lib: lib.nn.GRU(3, 4)(lib.zeros(2, 5, 2, 3)),
    lambda lib: lib.nn.RNN(3, 4)(lib.zeros(5, 3, 3), lib.zeros(1, 2, 4)),
    lambda lib: lib.nn.RNN(3, 4)(lib.zeros(5, 3, 3), lib.zeros(2, 4)),
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 2, 3), (lib.zeros(1, 2, 4), lib.zeros(1, 2, 3))),
    lambda lib: lib.nn.LSTM(3, 4)(lib.zeros(5, 3), (lib.zeros(1, 1, 4), lib.zeros(1, 1, 4))),
    lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="gelu"),
    lambda lib: lib.nn.LSTM(3, 0),
    lambda lib: lib.nn.GRU(3, 4, dropout=1.5),
    lambda lib: lib.nn.GRUCell(3, 4)(lib.zeros(1, 2, 3)),
    lambda lib: lib.nn.LSTMCell(3, 4)(lib.zeros(2, 3), (lib.zeros(1, 2, 4), lib.zeros(2, 4))),
])
def test_errors_match_torch(case):
    _raises(lambda: case(torch), lambda: case(mygrad))
