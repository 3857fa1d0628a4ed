"""Records for ``nn.utils.rnn`` (packed sequences) and the recurrent modules on packed input.

The conversions are drawn over every argument torch has: lengths as a list or a tensor, sorted or not
(``enforce_sorted``), time-major or ``batch_first``, a padding value, ``total_length``, left or right padding.
Each returns the PackedSequence's fields (``sorted_indices``/``unsorted_indices`` as their repr, which may be
None) and the padded/unpacked tensors.  The modules run torch's packed path (on the CPU always the composite
``PackedLayer``: per step the state sliced to the step's batch, the finished sequences' states kept apart),
with the same weights, on a batch packed in the call, with or without initial states; the output's data,
every final state (put back in the caller's order) and the output padded again are compared; a second
row per module puts the weights in as plain tensors, so forward AD and the functional transforms reach them
(torch has no forward formula for ``_pack_padded_sequence``: an input that requires grad makes both raise).
When every sequence is as long as the longest, torch's float32 LSTM without projections runs its fused
oneDNN layer on the data viewed (T, N, F) instead; the drawn batches of one sequence reach it.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, grad_flags
from .modules import WEIGHTS
from .modules_rnn import LSTM_KEPT_OFF, RNN_OVERFLOW, _parameters, layer_parameter_shapes


def _utils(lib):
    return lib.nn.utils.rnn


def _fields(packed) -> tuple:
    return (packed.data, packed.batch_sizes, repr(packed.sorted_indices), repr(packed.unsorted_indices))


def _lengths(lib, lengths: list, as_tensor: bool):
    return lib.tensor(lengths) if as_tensor else lengths


@st.composite
def _batch(draw, dtype: str, features: int | None = None):
    """A padded batch (T, B, F) or (B, T, F) and its lengths (each 1..T, the longest T), sorted when
    ``enforce_sorted``."""
    steps, batch = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    features = draw(st.integers(1, 3)) if features is None else features
    lengths = [steps] + [draw(st.integers(1, steps)) for _ in range(batch - 1)]
    enforce_sorted = draw(st.booleans())
    if enforce_sorted:
        lengths.sort(reverse=True)
    else:
        lengths = draw(st.permutations(lengths))
    batch_first = draw(st.booleans())
    shape = (batch, steps, features) if batch_first else (steps, batch, features)
    return shape, list(lengths), batch_first, enforce_sorted


def pack_call(lib, x, *, lengths: list, as_tensor: bool, batch_first: bool, enforce_sorted: bool):
    return _fields(_utils(lib).pack_padded_sequence(x, _lengths(lib, lengths, as_tensor), batch_first,
                                                    enforce_sorted))


def pad_packed_call(lib, x, *, lengths: list, batch_first: bool, enforce_sorted: bool, out_batch_first: bool,
                    padding_value: float, total_length):
    packed = _utils(lib).pack_padded_sequence(x, lengths, batch_first, enforce_sorted)
    return _utils(lib).pad_packed_sequence(packed, out_batch_first, padding_value, total_length)


@st.composite
def pack_example(draw, dtype: str):
    shape, lengths, batch_first, enforce_sorted = draw(_batch(dtype))
    return Example((TensorArg(draw(arrays(dtype, shape, WEIGHTS)), draw(st.booleans())),),
                   {"lengths": lengths, "as_tensor": draw(st.booleans()), "batch_first": batch_first,
                    "enforce_sorted": enforce_sorted})


def pack_errors(example: Example) -> list:
    """torch's refusals: lengths out of order under ``enforce_sorted``, a zero length, a wrong count, a 2-d
    lengths tensor, an empty input."""
    x = example.args[0]
    kw = example.kwargs
    batch = x.array.shape[0 if kw["batch_first"] else 1]
    bad = []
    if batch > 1:
        lengths = sorted(kw["lengths"])
        if lengths[0] < lengths[-1]:
            bad.append(("lengths not sorted", Example(example.args, {**kw, "enforce_sorted": True,
                                                                      "lengths": lengths})))
    bad.append(("a zero length", Example(example.args, {**kw, "lengths": kw["lengths"][:-1] + [0]})))
    bad.append(("one length too many", Example(example.args, {**kw, "lengths": kw["lengths"] + [1]})))
    return bad


@st.composite
def pad_packed_example(draw, dtype: str):
    shape, lengths, batch_first, enforce_sorted = draw(_batch(dtype))
    steps = max(lengths)
    total = draw(st.sampled_from([None, None, steps, steps + 2, steps - 1]))
    return Example((TensorArg(draw(arrays(dtype, shape, WEIGHTS)), draw(st.booleans())),),
                   {"lengths": lengths, "batch_first": batch_first, "enforce_sorted": enforce_sorted,
                    "out_batch_first": draw(st.booleans()), "padding_value": draw(st.sampled_from([0.0, -1.0, 2.5])),
                    "total_length": total})


def pad_sequence_call(lib, *sequences, batch_first: bool, padding_value: float, padding_side: str):
    return _utils(lib).pad_sequence(list(sequences), batch_first, padding_value, padding_side)


def _sequences(draw, dtype: str, trailing: tuple) -> tuple:
    count = draw(st.integers(1, 3))
    flags = draw(grad_flags(count))
    return tuple(TensorArg(draw(arrays(dtype, (draw(st.integers(0, 4)),) + trailing, WEIGHTS)), flags[k])
                 for k in range(count))


@st.composite
def pad_sequence_example(draw, dtype: str):
    trailing = draw(st.sampled_from([(), (1,), (2,), (2, 1)]))
    return Example(_sequences(draw, dtype, trailing),
                   {"batch_first": draw(st.booleans()), "padding_value": draw(st.sampled_from([0.0, -1.0, 2.5])),
                    "padding_side": draw(st.sampled_from(["right", "left", "middle"]))})


def pack_sequence_call(lib, *sequences, enforce_sorted: bool):
    packed = _utils(lib).pack_sequence(list(sequences), enforce_sorted)
    return (*_fields(packed), *_utils(lib).unpack_sequence(packed))


@st.composite
def pack_sequence_example(draw, dtype: str):
    trailing = draw(st.sampled_from([(), (2,)]))
    count = draw(st.integers(1, 3))
    lengths = [draw(st.integers(1, 4)) for _ in range(count)]
    enforce_sorted = draw(st.sampled_from([True, False, False]))
    if enforce_sorted and draw(st.integers(0, 3)):
        lengths.sort(reverse=True)
    flags = draw(grad_flags(count))
    seqs = tuple(TensorArg(draw(arrays(dtype, (n,) + trailing, WEIGHTS)), flags[k]) for k, n in enumerate(lengths))
    return Example(seqs, {"enforce_sorted": enforce_sorted})


def unpad_sequence_call(lib, *sequences, batch_first: bool):
    u = _utils(lib)
    padded = u.pad_sequence(list(sequences), batch_first)
    return tuple(u.unpad_sequence(padded, lib.tensor([s.size(0) for s in sequences]), batch_first))


@st.composite
def unpad_sequence_example(draw, dtype: str):
    return Example(_sequences(draw, dtype, draw(st.sampled_from([(), (2,)]))), {"batch_first": draw(st.booleans())})


def packed_module_call(lib, *tensors, module: str, args: tuple, options: dict, params: tuple, states: int,
                       train: bool, lengths: list, enforce_sorted: bool, plain: bool = False):
    """Build the module, assign the weights, pack the input (time-major or batch_first as the module) and run
    it; returns the output's fields, the final state(s) and the output padded again.  With ``plain`` the
    weights are plain tensors put in the parameters' places (as ``modules_rnn.recurrent_call``), so dual
    tensors and the functional transforms reach them."""
    m = getattr(lib.nn, module)(*args, **options)
    x, given, weights = tensors[0], tensors[1:1 + states], tensors[1 + states:]
    if plain:
        for name, weight in zip(params, weights):
            delattr(m, name)
            setattr(m, name, weight)
    else:
        m.load_state_dict(dict(zip(params, weights)), strict=True, assign=True)
    m.train(train)
    u = _utils(lib)
    packed = u.pack_padded_sequence(x, lengths, options["batch_first"], enforce_sorted)
    if states == 2:
        out, hidden = m(packed, (given[0], given[1]))
    elif states == 1:
        out, hidden = m(packed, given[0])
    else:
        out, hidden = m(packed)
    finals = hidden if isinstance(hidden, tuple) else (hidden,)
    padded, found = u.pad_packed_sequence(out, options["batch_first"])
    return (*_fields(out), *finals, padded, found)


def packed_module(module: str, plain: bool = False):
    """``RNN``/``LSTM``/``GRU`` on a packed batch of up to 3 sequences of up to 4 steps: 1 or 2 layers,
    every constructor flag, initial states or none."""
    @st.composite
    def example(draw, dtype: str):
        n_in, hidden, layers = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
        shape, lengths, batch_first, enforce_sorted = draw(_batch(dtype, n_in))
        bias, bidirectional, train = draw(st.booleans()), draw(st.booleans()), draw(st.booleans())
        options: dict = {"num_layers": layers, "bias": bias, "batch_first": batch_first,
                         "bidirectional": bidirectional}
        if module == "RNN":
            options["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
        proj = 0
        if module == "LSTM" and hidden > 1 and draw(st.sampled_from([False, False, True])):
            proj = options["proj_size"] = draw(st.integers(1, hidden - 1))
        if layers > 1:
            options["dropout"] = draw(st.sampled_from([0.0, 1.0] if train else [0.0, 0.5]))
        flags = draw(grad_flags(3))
        tensors = [TensorArg(draw(arrays(dtype, shape, WEIGHTS)), flags[0])]
        directions = 2 if bidirectional else 1
        real_hidden = proj or hidden
        batch = len(lengths)
        states = 0
        if draw(st.booleans()):
            tensors.append(TensorArg(draw(arrays(dtype, (layers * directions, batch, real_hidden), WEIGHTS)),
                                     flags[1]))
            states = 1
            if module == "LSTM":
                tensors.append(TensorArg(draw(arrays(dtype, (layers * directions, batch, hidden), WEIGHTS)),
                                         flags[2]))
                states = 2
        shapes = layer_parameter_shapes(module, layers, directions, n_in, hidden, bias, proj)
        names, weights = _parameters(draw, dtype, shapes, plain)
        return Example((*tensors, *weights), {"module": module, "args": (n_in, hidden), "options": options,
                                              "params": names, "states": states, "train": train,
                                              "lengths": lengths, "enforce_sorted": enforce_sorted,
                                              "plain": plain})
    return example


# The modules whose hostile differences were measured to be their kernels' order (modules_rnn.RNN_OVERFLOW),
# as (module, weights as inputs).
_OVERFLOW_ROWS = {("LSTM", False), ("LSTM", True), ("RNN", True)}


def _record(name: str, example, call, **fields) -> Record:
    return Record(name, example, forms=("call",), namespace="nn.utils.rnn", call=call, label=f"nn.utils.rnn.{name}",
                  output="tuple", **fields)


RECORDS = [
    _record("pack_padded_sequence", pack_example, pack_call, error_inputs=pack_errors),
    _record("pad_packed_sequence", pad_packed_example, pad_packed_call, raises=True),
    _record("pad_sequence", pad_sequence_example, pad_sequence_call, raises=True),
    _record("pack_sequence", pack_sequence_example, pack_sequence_call, raises=True),
    _record("unpad_sequence", unpad_sequence_example, unpad_sequence_call),
] + [Record(module, packed_module(module, plain), forms=("call",), namespace="nn", call=packed_module_call,
            label=f"nn.{module} (packed input{', weights as inputs' if plain else ''})", output="tuple",
            unchecked=(RNN_OVERFLOW if (module, plain) in _OVERFLOW_ROWS else ()) +
            (LSTM_KEPT_OFF if (module, plain) == ("LSTM", True) else ()))
     for plain in (False, True) for module in ("RNN", "LSTM", "GRU")]
