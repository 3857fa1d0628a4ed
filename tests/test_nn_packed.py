"""torch.nn.utils.rnn's PackedSequence object and its refusals against torch, as paired scenarios (see
paired.py): what the conformance records (conformance/records/nn_packed.py) cannot express as an op's
output (the namedtuple's fields and methods, its repr, the import path, the errors of bad lengths)."""
from __future__ import annotations

import numpy as np
from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def padded(t, steps=4, batch=3, features=2, dtype=None):
    rng = np.random.default_rng(0)
    return t.tensor(rng.standard_normal((steps, batch, features)), dtype=dtype or t.float32, requires_grad=True)


@scenario
def packed_sequence_object(t, see):
    from importlib import import_module
    rnn = import_module(f"{t.__name__}.nn.utils.rnn")
    see("same module as the attribute", rnn is t.nn.utils.rnn)
    p = rnn.pack_padded_sequence(padded(t), [2, 4, 1], enforce_sorted=False)
    see("fields", type(p)._fields)
    see("tuple", tuple(p))
    see("repr", repr(p))
    see("is_cuda", p.is_cuda)
    see("is a tuple", isinstance(p, tuple))
    see("to same dtype is itself", p.to(t.float32) is p)
    for name in ("double", "float", "half", "long", "int", "short", "char", "byte"):
        q = see.call(name, lambda name=name: getattr(p, name)())
        see(f"{name} keeps batch_sizes", q.batch_sizes is p.batch_sizes)
    see("cpu", tuple(p.cpu()))
    see("from a pair", tuple(rnn.PackedSequence((p.data, p.batch_sizes))))
    see.call("from data alone", lambda: rnn.PackedSequence(p.data))
    see("invert_permutation", rnn.invert_permutation(t.tensor([2, 0, 3, 1])))
    see("invert_permutation None", rnn.invert_permutation(None))
    sorted_p = rnn.pack_padded_sequence(padded(t), t.tensor([4, 2, 1]))
    see("repr sorted", repr(sorted_p))
    see("ties keep their order", rnn.pack_padded_sequence(padded(t, batch=8), [1, 2, 2, 2, 1, 4, 4, 4],
                                                          enforce_sorted=False).sorted_indices)


@scenario
def pack_padded_refusals(t, see):
    rnn = t.nn.utils.rnn
    x = padded(t)
    see.call("unsorted lengths", lambda: rnn.pack_padded_sequence(x, [2, 4, 1]))
    see.call("a zero length", lambda: rnn.pack_padded_sequence(x, [4, 2, 0]))
    see.call("a negative length", lambda: rnn.pack_padded_sequence(x, [4, 2, -1]))
    see.call("too few lengths", lambda: rnn.pack_padded_sequence(x, [4, 2]))
    see.call("2-d lengths", lambda: rnn.pack_padded_sequence(x, t.tensor([[4, 2, 1]])))
    see.call("float lengths", lambda: rnn.pack_padded_sequence(x, t.tensor([4.0, 2.0, 1.0])))
    see.call("int32 lengths", lambda: rnn.pack_padded_sequence(x, t.tensor([4, 2, 1], dtype=t.int32)))
    see.call("an empty input", lambda: rnn.pack_padded_sequence(padded(t, steps=0), [0, 0, 0]))
    see.call("total_length too short", lambda: rnn.pad_packed_sequence(rnn.pack_padded_sequence(x, [4, 2, 1]),
                                                                       total_length=3))
    see.call("no sequences", lambda: rnn.pad_sequence([]))
    see.call("not iterable", lambda: rnn.pad_sequence(3))
    see.call("a bad padding side", lambda: rnn.pad_sequence([x[0]], padding_side="mid"))
    see.call("mismatched trailing sizes", lambda: rnn.pad_sequence([x[:, 0], x[:2, :2, 0]]))
    see.call("a tensor of sequences", lambda: rnn.pad_sequence(x))
    see.call("unsorted pack_sequence", lambda: rnn.pack_sequence([x[:2, 0], x[:, 0]]))
    see("data untouched", x)


@scenario
def packed_modules_bad_input(t, see):
    rnn = t.nn.utils.rnn
    p = rnn.pack_padded_sequence(padded(t), [4, 2, 1])
    t.manual_seed(0)
    gru = t.nn.GRU(2, 3)
    see.call("GRU: wrong features", lambda: gru(rnn.PackedSequence(t.zeros(7, 3), p.batch_sizes)))
    see.call("GRU: 2-d hidden", lambda: gru(p, t.zeros(1, 3)))
    see.call("GRU: wrong batch of hidden", lambda: gru(p, t.zeros(1, 2, 3)))
    out = see.call("GRU batch_first takes packed as is", lambda: type(t.nn.GRU(2, 3, batch_first=True)(p)[0]).__name__)
    see("out", out)
