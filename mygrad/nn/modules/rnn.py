"""Recurrent layers (``RNN``, ``LSTM``, ``GRU``) and their cells with torch's graphs (``nn/_rnn.py``: the fused
oneDNN LSTM layer node where torch uses one, torch's composite of ordinary nodes elsewhere).
Parameters are named, shaped, ordered and initialised as torch's (U(-1/sqrt(H), 1/sqrt(H)))."""
from __future__ import annotations

import math
import numbers
import warnings
import weakref
from typing import Any

from ... import _creation
from ..._argument_types import python_type_name
from ..._tensor import Tensor
from ...ops._errors import not_tensor
from .. import _rnn, functional as F, init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _expect_tensors
from .module import Module, _check_device

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """The parameters and the layer/direction loop shared by RNN, LSTM and GRU."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__()
        if device is not None:
            _check_device(device)
        if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool)):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names: list = []
        self._all_weights: list = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                shapes: list[tuple[str, tuple[int, ...]]] = [("weight_ih_l{}{}", (gate_size, layer_input)),
                                                             ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, suffix)
                    setattr(self, name, Parameter(_creation.empty(shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self) -> list:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ----- checks (torch's messages) -----

    def _flat_weights(self) -> list:
        return [getattr(self, name, None) for name in self._flat_weights_names]

    def _update_flat_weights(self) -> None:
        """torch's forward first takes a weak reference to each weight put in a parameter's place (as
        ``functional_call`` does): what cannot be weakly referenced (a list, a str, a number) fails there."""
        for weight in self._flat_weights():
            if weight is not None and not isinstance(weight, Tensor):
                weakref.ref(weight)

    def _check_input(self, input: Tensor, dims: int = 3) -> None:
        """torch's ``check_input`` (``dims``: 2 for a packed sequence's data): the first weight's dtype read as
        torch reads it (a weight that is not a tensor fails there as in torch), then the input's shape."""
        weight = self._flat_weights()[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). Convert "
                             f"input: input.to({weight.dtype}), or convert model: model.to({input.dtype})")
        if input.dim() != dims:
            raise RuntimeError(f"input must have {dims} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def _check_weight_list(self, argument: int) -> None:
        """torch's binding of the weights as its ``_VF`` call's tensor list (argument ``argument``)."""
        for i, weight in enumerate(self._flat_weights()):
            if not isinstance(weight, Tensor):
                raise TypeError(f"expected Tensor as element {i} in argument {argument}, but got "
                                f"{python_type_name(weight)}")

    def _expected_hidden(self, input: Tensor, size: int) -> tuple:
        batch = input.size(0) if self.batch_first else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    @staticmethod
    def _check_hidden(hx: Tensor, expected: tuple, msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != expected:
            raise RuntimeError(msg.format(expected, list(hx.size())))

    def _batch_input(self, input: Tensor, name: str) -> tuple:
        if input.dim() not in (2, 3):
            got = f"{input.dim()}D tensor" if name == "RNN" else f"{input.dim()}D"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {got} instead")
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        return input, batched

    def _weights(self) -> list:
        """Per layer and direction: (w_ih, w_hh, b_ih, b_hh, w_hr), None where absent."""
        found = []
        for names in self._all_weights:
            weights = [getattr(self, n) for n in names]
            biases = (weights[2], weights[3]) if self.bias else (None, None)
            found.append((weights[0], weights[1], *biases, weights[-1] if self.proj_size > 0 else None))
        return found

    def _forward_states(self, input: Tensor, hx: tuple) -> tuple:
        """Time-major or batch_first ``input`` (3-d) and the initial states: torch's fused LSTM where it
        uses one, its composite otherwise; returns (output, the final states)."""
        if _rnn.uses_fused(self.mode, input, self.proj_size):
            return _rnn.fused_lstm(input, hx[0], hx[1], self._weights(), self.num_layers, self.dropout,
                                   self.training, self.bidirectional, self.batch_first)
        return _rnn.composite(self.mode, input, hx, self._weights(), self.num_layers, self.dropout, self.training,
                              self.bidirectional, self.batch_first)


    def _forward_packed(self, input: PackedSequence, hx: tuple | None) -> tuple:
        """torch's packed path: the states put in the packed (sorted) order, the composite over the packed
        data, the output packed as the input and the final states put back in the caller's order."""
        data, batch_sizes, sorted_indices, unsorted_indices = input
        lstm = self.mode == "LSTM"
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        layers = self.num_layers * (2 if self.bidirectional else 1)
        batch = int(batch_sizes[0])
        if hx is None:
            hx = ((_creation.zeros((layers, batch, real_hidden), dtype=data.dtype),)
                  + ((_creation.zeros((layers, batch, self.hidden_size), dtype=data.dtype),) if lstm else ()))
        else:
            if sorted_indices is not None:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)
            if lstm:
                _expect_tensors(hx, 2)  # (torch's ``lstm(data, batch_sizes, hx, ...)`` binding)
        if not lstm:  # (torch's LSTM checks its states' sizes only when it made them itself)
            self._check_input(data, 2)
            self._check_hidden(hx[0], (layers, batch, self.hidden_size))
        self._check_weight_list(3)
        if lstm:   # (torch's lstm reads projections from the states' sizes, then counts the weights by them)
            per_layer = (4 if self.bias else 2) + (hx[0].size(2) != hx[1].size(2))
            if len(self._flat_weights_names) % per_layer:
                raise RuntimeError("got an incorrect number of RNN parameters")
        sizes = batch_sizes.tolist()
        if _rnn.uses_fused(self.mode, data, self.proj_size) and sizes.count(batch) == len(sizes):
            # every sequence as long as the longest: torch runs its fused LSTM on the data viewed as (T, N, F)
            out, states = _rnn.fused_lstm(data.reshape(len(sizes), batch, data.size(1)), hx[0], hx[1],
                                          self._weights(), self.num_layers, self.dropout, self.training,
                                          self.bidirectional, False)
            out = out.reshape(data.size(0), out.size(2))
        else:
            out, states = _rnn.packed(self.mode, data, batch_sizes, hx, self._weights(), self.num_layers,
                                      self.dropout, self.training, self.bidirectional)
        if unsorted_indices is not None:
            states = tuple(h.index_select(1, unsorted_indices) for h in states)
        return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), states if lstm else states[0]


class RNN(RNNBase):
    """Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple:
        self._update_flat_weights()
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, None if hx is None else (hx,))
        input, batched = self._batch_input(input, "RNN")
        if hx is not None:
            if batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
            if not batched:
                if hx.dim() != 2:
                    raise RuntimeError(
                        f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        self._check_input(input)
        expected = self._expected_hidden(input, self.hidden_size)
        if hx is None:
            hx = _creation.zeros(expected, dtype=input.dtype)
        self._check_hidden(hx, expected)
        self._check_weight_list(2)
        out, (h_n,) = self._forward_states(input, (hx,))
        if not batched:
            out, h_n = out.squeeze(0 if self.batch_first else 1), h_n.squeeze(1)
        return out, h_n


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    forward = RNN.forward

    def _batch_input(self, input: Tensor, name: str) -> tuple:
        return super()._batch_input(input, "GRU")


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o), with an optional projection of h (``proj_size``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        self._update_flat_weights()
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        input, batched = self._batch_input(input, "LSTM")
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is not None:
            if batched and (hx[0].dim() != 3 or hx[1].dim() != 3):
                raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            if not batched:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self._check_input(input)
        expected_h = self._expected_hidden(input, real_hidden)
        expected_c = self._expected_hidden(input, self.hidden_size)
        if hx is None:
            hx = (_creation.zeros(expected_h, dtype=input.dtype), _creation.zeros(expected_c, dtype=input.dtype))
        self._check_hidden(hx[0], expected_h, "Expected hidden[0] size {}, got {}")
        self._check_hidden(hx[1], expected_c, "Expected hidden[1] size {}, got {}")
        self._check_weight_list(2)
        out, (h_n, c_n) = self._forward_states(input, (hx[0], hx[1]))
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return out, (h_n, c_n)


class RNNCellBase(Module):
    """weight_ih (chunks*H, in), weight_hh (chunks*H, H) and the two biases of one time step."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
                 dtype=None) -> None:
        super().__init__()
        if device is not None:
            _check_device(device)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_creation.empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(_creation.empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batch(self, name: str, input: Tensor, hx, what: str = "hidden") -> tuple:
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None and what == "hidden" and hx.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead")
        batched = input.dim() == 2
        return (input if batched else input.unsqueeze(0)), batched

    def _zeros(self, input: Tensor) -> Tensor:
        return _creation.zeros((input.size(0), self.hidden_size), dtype=input.dtype)

    def _check_cell(self, function: str, x: Tensor, states: tuple) -> None:
        """torch's ``_VF`` cell call (``function``) on the batched input and states: its binding of the weights
        (positions 3 to 6; the biases may be None), then its shape checks, in the order each cell makes them."""
        weights = (self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        for position, (key, weight) in enumerate(zip(("w_ih", "w_hh", "b_ih", "b_hh"), weights), start=3):
            if not isinstance(weight, Tensor) and (weight is not None or position < 5):
                raise not_tensor(function, weight, key, position)
        w_ih, w_hh = weights[:2]
        gates = {"gru_cell": 3, "lstm_cell": 4}.get(function, 1)

        def check_input() -> None:
            if x.size(1) != w_ih.size(1):
                raise RuntimeError(f"input has inconsistent input_size: got {x.size(1)} expected {w_ih.size(1)}")

        def check_weights(hidden: int) -> None:
            for name, weight in (("weight_ih", w_ih), ("weight_hh", w_hh)):
                if weight.size(0) != gates * hidden:
                    raise RuntimeError(f"{name} first dim must be {gates} * hidden_size = {gates * hidden}, "
                                       f"but got {weight.size(0)}")

        def check_hidden(hidden: int) -> None:
            for label, state in enumerate(states):
                if x.size(0) != state.size(0):
                    raise RuntimeError(f"Input batch size {x.size(0)} doesn't match hidden{label} batch size "
                                       f"{state.size(0)}")
                if state.size(1) != hidden:
                    raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {state.size(1)}, "
                                       f"expected {hidden}")
        if gates == 1:
            check_weights(w_hh.size(1))
            check_input()
            check_hidden(w_hh.size(1))
        elif gates == 3:
            check_input()
            check_hidden(w_hh.size(1))
            check_weights(w_hh.size(1))
        else:
            check_input()
            check_weights(w_hh.size(1))
            check_hidden(w_hh.size(1))


class RNNCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, batched = self._batch("RNNCell", input, hx)
        h = self._zeros(x) if hx is None else (hx if batched else hx.unsqueeze(0))
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check_cell("rnn_tanh_cell" if mode == "RNN_TANH" else "rnn_relu_cell", x, (h,))
        out = _rnn.rnn_cell(mode, lambda: F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh,
                            self.bias_hh)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got {value.dim()}D instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            h = c = self._zeros(x)
        else:
            h, c = (hx[0], hx[1]) if batched else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check_cell("lstm_cell", x, (h, c))
        h, c = _rnn.lstm_cell(lambda: F.linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh,
                              self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, batched = self._batch("GRUCell", input, hx)
        h = self._zeros(x) if hx is None else (hx if batched else hx.unsqueeze(0))
        self._check_cell("gru_cell", x, (h,))
        out = _rnn.gru_cell(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)
