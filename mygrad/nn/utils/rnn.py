"""torch.nn.utils.rnn: variable-length batches as ``PackedSequence`` (the time steps' valid rows one after
another, ``batch_sizes`` rows per step) and the padding/packing conversions, with torch's graphs.

``pack_padded_sequence``'s data is one ``PackPaddedSequenceBackward0`` node (torch's native
``_pack_padded_sequence``); ``pad_packed_sequence`` and ``pad_sequence`` are torch's composites: a tensor filled
with the padding value whose regions are ``copy_``'d from the inputs (``CopySlices``).
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

from ..._tensor import Tensor
from ...autograd.backends import formula_helper
from ...autograd.node import derivative
from ...ops._define import record
from .._rnn import transpose_out

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _mygrad():
    import mygrad
    return mygrad


def _type_name(value) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _expect(fn: str, name: str, position: int, value, kind) -> None:
    """torch's binding check of one argument of its native functions (a TypeError naming it); ``float`` and
    ``"Number"`` (a Scalar) take any real number, a bool or a NumPy scalar as torch's binding does."""
    if kind in (float, "Number"):
        ok = isinstance(value, numbers.Real)
        wanted = "float" if kind is float else "Number"
    else:
        ok = isinstance(value, kind) and (kind is not int or not isinstance(value, bool))
        wanted = {Tensor: "Tensor", bool: "bool", int: "int", str: "str"}[kind]
    if not ok:
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be {wanted}, not {_type_name(value)}")


def _expect_tensors(values, argument: int) -> None:
    for i, value in enumerate(values):
        if not isinstance(value, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument {argument}, but got {_type_name(value)}")


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """torch's namedtuple of (data, batch_sizes, sorted_indices, unsorted_indices); the conversions move the
    data only (``batch_sizes`` stays int64 on the CPU)."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        return super().__new__(cls, *_packed_sequence_init_args(data, batch_sizes, sorted_indices,
                                                                 unsorted_indices))

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices = bind(self.sorted_indices, lambda t: t.to(data.device))
        unsorted_indices = bind(self.unsorted_indices, lambda t: t.to(data.device))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to(*args, **kwargs)

    def double(self) -> PackedSequence:
        return self.to(dtype=_mygrad().double)

    def float(self) -> PackedSequence:
        return self.to(dtype=_mygrad().float)

    def half(self) -> PackedSequence:
        return self.to(dtype=_mygrad().half)

    def long(self) -> PackedSequence:
        return self.to(dtype=_mygrad().long)

    def int(self) -> PackedSequence:
        return self.to(dtype=_mygrad().int)

    def short(self) -> PackedSequence:
        return self.to(dtype=_mygrad().short)

    def char(self) -> PackedSequence:
        return self.to(dtype=_mygrad().int8)

    def byte(self) -> PackedSequence:
        return self.to(dtype=_mygrad().uint8)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False  # (CPU tensors only; nothing is page-locked)


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None) -> tuple:
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never be created manually. "
                "They should be instantiated by functions like pack_sequence and pack_padded_sequences in "
                "nn.utils.rnn. https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    if permutation is None:
        return None
    mygrad = _mygrad()
    return mygrad.empty_like(permutation).scatter_(0, permutation, mygrad.arange(0, permutation.numel()))


# ----- _pack_padded_sequence (native: one node) -------------------------------------------------------

def _valid(batch_sizes, shape: tuple) -> np.ndarray:
    """(T, B) mask of the rows a packed sequence keeps: step t keeps its first batch_sizes[t] rows."""
    sizes = batch_sizes._data if isinstance(batch_sizes, Tensor) else np.asarray(batch_sizes)
    return np.arange(shape[1])[None, :] < sizes[:, None]


def _pack_grad_array(grad, input_sizes, batch_sizes, batch_first):
    shape = (input_sizes[1], input_sizes[0], *input_sizes[2:]) if batch_first else tuple(input_sizes)
    out = np.zeros(shape, dtype=grad.dtype)
    out[_valid(batch_sizes, shape)] = grad
    return np.swapaxes(out, 0, 1) if batch_first else out


def _pack_grad_tensor(grad, input_sizes, batch_sizes, batch_first):
    mygrad = _mygrad()
    shape = (input_sizes[1], input_sizes[0], *input_sizes[2:]) if batch_first else tuple(input_sizes)
    out = mygrad.zeros(shape, dtype=grad.dtype)
    out[mygrad.tensor(_valid(batch_sizes, shape))] = grad
    return out.transpose(0, 1) if batch_first else out


formula_helper(_pack_grad_array, tensor=_pack_grad_tensor, name="pack_padded_sequence_backward")
PackPaddedSequenceBackward0 = derivative(
    "PackPaddedSequenceBackward0", attrs="input_sym_sizes batch_first", freed=("result1",),
    input="pack_padded_sequence_backward(grad, input_sym_sizes, result1, batch_first)")


def _pack_padded_sequence(input: Tensor, lengths: Tensor, batch_first: bool) -> tuple:
    for position, (name, value, kind) in enumerate((("input", input, Tensor), ("lengths", lengths, Tensor),
                                                    ("batch_first", batch_first, bool)), 1):
        _expect("_pack_padded_sequence", name, position, value, kind)
    if lengths.dim() != 1 or lengths.dtype != _mygrad().int64:
        kind = {"int64": "Long", "int32": "Int", "float32": "Float", "float64": "Double"}.get(
            str(lengths.dtype).replace("torch.", ""), str(lengths.dtype))
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.dim()}D cpu "
                           f"{kind} tensor")
    if input._data.size == 0:   # (before the batch size is read: a 1-D empty input says so too)
        raise RuntimeError("Cannot pack empty tensors.")
    if input.dim() < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    data = np.swapaxes(input._data, 0, 1) if batch_first else input._data
    lens = lengths._data
    if lens.shape[0] != data.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.shape[0]} "
                           f"(batch_size={data.shape[1]})")
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if np.any(lens[1:] > lens[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep "
                           "this requirement if you do not need ONNX exportability.")
    if lens[0] > data.shape[0]:  # (torch reads past the input's end here; refused instead)
        raise RuntimeError(f"Expected all lengths to be at most the sequence length {data.shape[0]}, but got "
                           f"a length of {int(lens[0])}")
    batch_sizes = (np.arange(int(lens[0]))[:, None] < lens[None, :]).sum(1).astype(np.int64)
    packed = data[:len(batch_sizes)][_valid(batch_sizes, data.shape)]
    sizes = Tensor._make(batch_sizes, False, None)
    out = record(PackPaddedSequenceBackward0, packed, (input,), input_sym_sizes=tuple(input.shape), result1=sizes,
                 batch_first=batch_first)
    return out, sizes


def pack_padded_sequence(input: Tensor, lengths: Tensor | list, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) of sequences of the given lengths."""
    mygrad = _mygrad()
    if not isinstance(lengths, Tensor):
        lengths = mygrad.as_tensor(lengths, dtype=mygrad.int64, device="cpu")
    else:
        lengths = lengths.to(dtype=mygrad.int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = mygrad.sort(lengths, descending=True, stable=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack_padded_sequence(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


# ----- the composites ------------------------------------------------------------------------------

def _pad_packed_sequence(data: Tensor, batch_sizes: Tensor, batch_first: bool, padding_value: float,
                         total_length: int) -> tuple:
    """torch's ``_pad_packed_sequence``: each run of equal batch sizes copied into its region at once."""
    for position, (name, value, kind) in enumerate((("data", data, Tensor), ("batch_sizes", batch_sizes, Tensor),
                                                    ("batch_first", batch_first, bool),
                                                    ("padding_value", padding_value, "Number"),
                                                    ("total_length", total_length, int)), 1):
        _expect("_pad_packed_sequence", name, position, value, kind)
    mygrad = _mygrad()
    sizes = [int(b) for b in batch_sizes._data]
    steps = max(total_length, len(sizes))
    output = mygrad.full((steps, sizes[0], *data.shape[1:]), padding_value, dtype=data.dtype)
    offset = prev_i = 0
    prev = sizes[0]
    for i in range(len(sizes) + 1):
        size = sizes[i] if i != len(sizes) else 0
        if size != prev:
            rows = prev * (i - prev_i)
            piece = data.narrow(0, offset, rows).view(i - prev_i, prev, *data.shape[1:])
            output.narrow(0, prev_i, i - prev_i).narrow(1, 0, prev).copy_(piece)
            offset += rows
            prev_i = i
        prev = size
    lengths = _valid(np.asarray(sizes), (len(sizes), sizes[0])).sum(0).astype(np.int64)
    if batch_first:
        output = output.transpose(0, 1)
    return output, Tensor._make(lengths, False, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple:
    """The inverse of ``pack_padded_sequence``: (padded batch, lengths), in the batch's original order."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_seq_length}")
        max_seq_length = total_length
    padded_output, lengths = _pad_packed_sequence(sequence.data, sequence.batch_sizes, batch_first, padding_value,
                                                  max_seq_length)
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        return padded_output.index_select(batch_dim, unsorted_indices), lengths[unsorted_indices.cpu()]
    return padded_output, lengths


def pad_sequence(sequences: Tensor | list, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths (L_i, *) into (T, B, *) (or (B, T, *)), padded on one side."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    _expect_tensors(sequences, 0)
    _expect("pad_sequence", "batch_first", 2, batch_first, bool)
    _expect("pad_sequence", "padding_value", 3, padding_value, float)
    _expect("pad_sequence", "padding_side", 4, padding_side, str)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if sequences[0].dim() == 0:  # (torch slices the first sequence's sizes past its end)
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    mygrad = _mygrad()
    max_len = max(s.size(0) for s in sequences)
    dims = (len(sequences), max_len) if batch_first else (max_len, len(sequences))
    out = mygrad.full((*dims, *sequences[0].shape[1:]), padding_value, dtype=sequences[0].dtype)
    for i, seq in enumerate(sequences):
        length = seq.size(0)
        start = max_len - length if padding_side == "left" else 0
        if batch_first:
            out.select(0, i).narrow(0, start, length).copy_(seq)
        else:
            out.narrow(0, start, length).select(1, i).copy_(seq)
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """The sequences of a padded batch, each cut to its length.  (torch transposes a time-major batch in place,
    ``TransposeBackward1``; mygrad records the same node but leaves the caller's tensor as it is.)"""
    mygrad = _mygrad()
    if not batch_first:
        padded_sequences = transpose_out(padded_sequences, 0, 1)
    idx = mygrad.arange(padded_sequences.shape[1])
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences: list, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) (longest first unless ``enforce_sorted=False``)."""
    lengths = _mygrad().as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of sequences a ``PackedSequence`` holds, in their original order."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
