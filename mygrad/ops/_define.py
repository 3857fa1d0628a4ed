"""The one mechanism every op goes through: wrap a NumPy result, and when grad mode is on
and an input requires grad, attach the op's node (its edges, what its formulas need saved,
the shape and dtype of each input so the engine can reduce broadcast gradients and cast).

An op is then a forward in NumPy plus a ``derivative(...)`` line::

    MulBackward0 = derivative("MulBackward0", self="grad * other", other="grad * self")

    def mul(input, other):
        a, b = binary_operands(input, other)
        return record(MulBackward0, a * b, (input, other), self=input, other=other)
"""
from __future__ import annotations

from itertools import count
from types import FunctionType

import numpy as np

from .. import _dtype
from .._quiet import quiet
from .._tensor import Tensor
from ..autograd import _source as codegen, anomaly_mode, forward_ad, grad_mode, graph as _graph
from ..autograd.node import OutputRef
from ._errors import may_warn, tensor_arguments

_sequence = count()
_new = object.__new__
_make = Tensor._make
_grad_state = grad_mode._state  # (thread-local: its attribute is read per call, in the calling thread)

_ZEROS = tuple((0,) * n for n in range(8))  # the output numbers of most nodes' edges (shared)
_META: dict = {}       # interned input metadata: nodes share these tuples instead of each keeping its own
_META_LIMIT = 4096


def _attach(node_cls, out: Tensor, inputs, saved: dict):
    """Make the node for ``inputs`` and hang ``out`` under it; None if nothing requires grad.
    (The work is done by the class's own attach function, generated on first use.)"""
    if node_cls._attach is None:
        _generate(node_cls)
    return node_cls._attach(out, inputs, saved)


def recorder(node_cls):
    """``record`` for one node class, without views: ``rec(data, inputs, saved: dict) -> Tensor``."""
    if node_cls._record is None:
        _generate(node_cls)
    return node_cls._record


def _generate(node_cls) -> None:
    """The attach and record functions of one node class, generated from what its formulas read, as
    its apply is.

    ``attach(out, inputs, saved) -> node | None``: an edge for each input that requires grad (its
    grad_fn, or its leaf's AccumulateGrad) with the input's shape and dtype, and what the formulas of
    those inputs read from ``saved``, in ``saved_names`` order (torch's rule: nothing for an input
    whose edge is empty: one that needs no gradient, or a view made under no_grad of a base that requires
    it, which has no AccumulateGrad).  A saved input also keeps its version, checked in backward (True for a
    number); ``result`` is the output, saved without a reference to its node (``OutputRef``).
    ``record(data, inputs, saved) -> Tensor``: the same, around the new output tensor of ``data``.
    Everything is spelled out per input and per name, so recording an op costs one call."""
    body = _attach_body(node_cls)
    attach = ["def attach(out, inputs, saved):"] + [_fill(line, nothing="None", node="node") for line in body]
    record = ["def record(data, inputs, saved):",
              "    if type(data) is not ndarray:",
              "        data = asarray(data)",
              "    out = _make(data, False, None)",
              "    if _fw_levels:",  # forward-mode AD (autograd/forward_ad.py): only inside a dual level
              "        _fw_propagate(cls, out, inputs, saved)",
              "    if _inference_tensors[0] and _inference_only(cls, out, inputs, saved):",
              "        return out",
              "    if not _grad_state.enabled:",
              "        return out"]
    record += [_fill(line, nothing="out", node="out") for line in body[:-1]]
    record += ["    out._fn = node", "    out._rg = True",
               "    if _anomaly.enabled:",  # detect_anomaly: the node keeps its forward traceback
               "        _remember_forward(node)",
               "    return out"]
    n = len(node_cls.input_names)
    namespace = {"Tensor": Tensor, "OutputRef": OutputRef, "_new": _new, "cls": node_cls, "_META": _META,
                 "_intern": _intern, "_sequence": _sequence, "_ZEROS_N": _ZEROS[n] if n < len(_ZEROS) else (0,) * n,
                 "_NONES": (None,) * len(node_cls.saved_names),
                 "_make": _make, "_grad_state": _grad_state, "_fw_levels": forward_ad.levels,
                 "_fw_propagate": forward_ad.propagate, "_saved_hooks": _graph._state,
                 "_pack_saved": _graph.pack_saved, "_NO_SEQUENCE": float("inf"),
                 "_anomaly": anomaly_mode._state, "_remember_forward": anomaly_mode.remember_forward,
                 "ndarray": np.ndarray, "asarray": np.asarray,
                 "_inference_tensors": grad_mode.inference_tensors, "_inference_only": _inference_only}
    node_cls._attach = codegen.define(node_cls.__name__, "attach", "\n".join(attach) + "\n", namespace)
    node_cls._record = codegen.define(node_cls.__name__, "record", "\n".join(record) + "\n", namespace)


# ----- inference tensors outside inference mode --------------------------------------------------------
# torch runs no autograd kernel for an op whose tensor operands are all inference tensors: the op records
# nothing, even for an input that requires grad, and the kernels underneath then write into their fresh
# output through the dispatcher (bumping its version: measured with torch 2.13, tests/test_inference_mode.py)
WRAPS_NUMBERS = frozenset({"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "WhereBackward0"})
KERNEL_WRITES = {"SumBackward0": 1, "SumBackward1": 1, "MeanBackward0": 2, "MeanBackward1": 2, "CloneBackward0": 1,
                 "AbsBackward0": 1, "ProdBackward0": 1, "ProdBackward1": 1, "MaxBackward1": 1, "MinBackward1": 1,
                 "AmaxBackward0": 1, "AminBackward0": 1, "VarBackward0": 1, "StdBackward0": 1,
                 "ToCopyBackward0": 1}
# ...and a kernel that writes through an out= op refuses an input that requires grad
OUT_VARIANT = {"MeanBackward0": "sum", "MeanBackward1": "sum", "VarBackward0": "sum", "StdBackward0": "sum",
               "AbsBackward0": "abs", "PowBackward2": "pow"}


def _inference_only(node_cls, out: Tensor, inputs, saved: dict) -> bool:
    """Whether ``out`` is the result of an op on inference tensors alone, outside inference mode (a Python
    number that torch wraps into a tensor counts as a normal tensor, and so does an operand the node has no
    edge for, given as ``operand=``, where's condition): then nothing is recorded."""
    if _grad_state.inference:
        return False
    operand = saved.get("operand")
    if isinstance(operand, Tensor) and not isinstance(operand._vc, grad_mode.InferenceVersion):
        return False
    name = node_cls.__name__
    found = requires_grad = False
    for x in inputs:
        if isinstance(x, Tensor):
            if not isinstance(x._vc, grad_mode.InferenceVersion):
                return False
            found = True
            requires_grad = requires_grad or x._requires_grad
        elif isinstance(x, (bool, int, float, complex)):
            if name in WRAPS_NUMBERS:
                return False
        elif x is not None:
            return False   # (a sequence of tensors: not looked into)
    if not found:
        return False
    if requires_grad and name in OUT_VARIANT:
        raise RuntimeError(f"{OUT_VARIANT[name]}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad.")
    writes = KERNEL_WRITES.get(name)
    if writes:
        out._vc[0] = writes
        if requires_grad and _grad_state.enabled and name in ("CloneBackward0", "ToCopyBackward0"):
            # the copy kernel's copy_ into the fresh output is recorded (its output is no inference tensor)
            from .elementwise import CopyBackwards
            src = next(x for x in inputs if isinstance(x, Tensor))
            node = _attach(CopyBackwards, out, (Tensor._make(out._data, False, None), src), {"src": src})
            out.grad_fn, out._requires_grad = node, True
    return True


def _fill(line: str, **returns) -> str:
    for marker, value in returns.items():
        line = line.replace(f"<{marker}>", value)
    return line


def _attach_body(node_cls) -> list:
    """The lines shared by attach and record; ``<nothing>`` is what to return when no input requires
    grad, ``<node>`` what to return at the end (the last line)."""
    inputs = range(len(node_cls.input_names))
    if not inputs:  # (a node of no inputs is never made)
        return ["    return <nothing>", "    return <node>"]
    lines = [f"    {''.join(f'i{i}, ' for i in inputs)}= inputs"]
    for i in inputs:
        # a view's history and flag are read through Tensor's properties (it may be stale); any other
        # tensor's straight from the slots
        lines += [f"    if isinstance(i{i}, Tensor) and (i{i}._rg if i{i}._base is None else i{i}._requires_grad):",
                  f"        n{i} = i{i}._fn if i{i}._base is None else i{i}.grad_fn",
                  f"        if n{i} is None:",
                  f"            n{i}, r{i} = i{i}._accumulate_node(), 0",
                  "        else:",
                  f"            r{i} = i{i}._output_nr",
                  f"        d = i{i}._data",
                  f"        m{i} = (d.shape, d.dtype)",
                  "    else:",
                  f"        n{i} = m{i} = None",
                  f"        r{i} = 0"]
    some = " or ".join(f"m{i} is not None" for i in inputs)
    numbered = " or ".join(f"r{i}" for i in inputs)
    lines += [f"    if not ({some}):",
              "        return <nothing>",
              "    node = _new(cls)",
              f"    node._next_nodes = ({''.join(f'n{i}, ' for i in inputs)})",
              f"    node._next_nrs = ({''.join(f'r{i}, ' for i in inputs)}) if {numbered} else _ZEROS_N",
              f"    meta = ({''.join(f'm{i}, ' for i in inputs)})",
              "    shared = _META.get(meta)",
              "    node._input_meta = shared if shared is not None else _intern(meta)"]
    values, versions = [], []
    for j, name in enumerate(node_cls.saved_names):
        values.append(f"s{j}")
        versions.append(f"v{j}")
        if name == "result":
            lines.append(f"    s{j}, v{j} = OutputRef(out), out._vc[0]")
            continue
        if name in node_cls.output_names:  # another output of a multi-output node (record_multi passes them)
            lines.append(f"    s{j} = OutputRef(saved[{name!r}]); v{j} = s{j}._vc[0]")
            continue
        readers = [i for i in inputs if name in node_cls.uses[i]]
        keep = f"s{j} = saved[{name!r}]"
        if name in node_cls.tensor_slots:  # an input: freed after backward, version-checked if a tensor
            # (a value that is not a tensor is freed unchecked; None, an absent optional tensor, stays)
            keep += f"; v{j} = s{j}._vc[0] if isinstance(s{j}, Tensor) else None if s{j} is None else True"
        else:  # an attribute (dim, shape, alpha...): kept as it is
            keep += f"; v{j} = None"
        if len(readers) == len(inputs):  # read by every input's formula: always kept
            lines.append(f"    {keep}")
        else:
            lines += [f"    if {' or '.join(f'n{i} is not None' for i in readers)}:",
                      f"        {keep}",
                      "    else:",
                      f"        s{j} = v{j} = None"]
    # Empty saved values (an input whose formula reads nothing may be the only one requiring grad) and
    # versions of attributes only are one shared tuple of Nones: fewer objects for the collector
    checked = any(n in node_cls.tensor_slots for n in node_cls.saved_names)
    optional = any(not node_cls.uses[i] for i in inputs)
    if not values:
        saved_line = "    node._saved = _NONES"
    elif optional:
        saved_line = (f"    node._saved = ({''.join(v + ', ' for v in values)}) if "
                      f"{' or '.join(v + ' is not None' for v in values)} else _NONES")
    else:
        saved_line = f"    node._saved = ({''.join(v + ', ' for v in values)})"
    lines += [saved_line,
              f"    node._versions = ({''.join(v + ', ' for v in versions)})" if checked
              else "    node._versions = _NONES",
              *(["    if _saved_hooks.stack:",  # saved_tensors_hooks (autograd/graph.py): pack what was saved
                 "        _pack_saved(node, out)"] if checked else []),
              # torch's NotImplemented (an Error node) takes no sequence number and runs as soon as it is ready,
              # so a backward through it raises before the other branches accumulate into their leaves
              "    node._sequence_nr = _NO_SEQUENCE" if node_cls.__name__ == "NotImplemented"
              else "    node._sequence_nr = next(_sequence)",
              "    node._hooks = None",
              "    return <node>"]
    return lines


def _intern(meta: tuple) -> tuple:
    if len(_META) >= _META_LIMIT:
        _META.clear()
    _META[meta] = meta
    return meta


def record(node_cls, data, inputs: tuple, view_of: Tensor | None = None, **saved) -> Tensor:
    """The output tensor of an op: ``data`` wrapped, with ``node_cls`` attached when recording.

    ``inputs`` are the forward's operands in the node's input order (Python scalars allowed);
    ``saved`` are the values the formulas read by name; ``view_of`` marks a result that shares
    memory with that tensor (and so its version counter), as torch's views do.
    """
    if view_of is None:
        return (node_cls._record or recorder(node_cls))(data, inputs, saved)
    out = record_view(np.asarray(data), view_of)
    if forward_ad.levels:
        forward_ad.propagate(node_cls, out, inputs, saved)
        forward_ad.link_view(out, view_of)   # its tangent is the same view of view_of's
    if grad_mode.inference_tensors[0] and _inference_only(node_cls, out, inputs, saved):
        return out
    if _grad_state.enabled:
        node = _attach(node_cls, out, inputs, saved)
        if node is not None:
            out.grad_fn = node
            out._requires_grad = True
    return out


def record_multi(node_cls, datas, inputs: tuple, views_of: Tensor | None = None, **saved) -> list:
    """Like ``record`` for an op with several outputs sharing one node (split, unbind): output i
    has output_nr i.  ``node_cls`` comes from ``derivative(..., multi_output=True)``."""
    if views_of is not None and isinstance(views_of._vc, grad_mode.InferenceVersion):
        from ._views import inference_view  # (views of an inference tensor are not tracked as views)
        return [inference_view(data, views_of, i) for i, data in enumerate(datas)]
    outs = [record_view(np.asarray(data), views_of, i) if views_of is not None else
            Tensor._make(np.asarray(data), False, None, i) for i, data in enumerate(datas)]
    for name, out in zip(node_cls.output_names, outs):  # the outputs its formulas read by name
        saved[name] = out
    if outs and forward_ad.levels:
        forward_ad.propagate(node_cls, outs[0], inputs, saved, outs)
        if views_of is not None:
            for out in outs:
                forward_ad.link_view(out, views_of)
    if outs and grad_mode.inference_tensors[0] and _inference_only(node_cls, outs[0], inputs, saved):
        return outs
    if outs and grad_mode._state.enabled:
        node = _attach(node_cls, outs[0], inputs, saved)
        if node is not None:
            node.n_outputs = len(outs)
            node._output_meta = tuple((t._data.shape, t._data.dtype) for t in outs)
            for t in outs:
                t.grad_fn = node
                t._requires_grad = True
    return outs


def record_view(data: np.ndarray, of: Tensor, output_nr: int = 0) -> Tensor:
    """A tensor over ``data``, a view of ``of``: same memory, same version counter, same base."""
    out = Tensor._make(data, False, None, output_nr, of._vc)
    out._base = of._base if of._base is not None else of
    return out


# ----- operands ----------------------------------------------------------------------------

def data_of(x):
    """The NumPy value of an operand (a tensor's array, or the Python scalar itself)."""
    return x._data if isinstance(x, Tensor) else x


def binary_operands(a, b, *, floating: bool = False):
    """Two operands as NumPy values of torch's promoted dtype (``floating``: ints become the default float).

    Python scalars stay Python scalars where NumPy's own rule gives torch's answer (a float
    tensor with any number, or integers of one dtype), so the common case does no casting.
    """
    if isinstance(a, Tensor):
        ad = a._data
        if isinstance(b, Tensor):
            bd = b._data
            if ad.dtype is bd.dtype and (ad.dtype.kind == "f" or not floating):
                return ad, bd
        elif ad.dtype.kind == "f" and type(b) in (float, int):
            return ad, b
        elif not isinstance(b, Tensor) and not isinstance(b, (bool, int, float)):
            raise TypeError(f"unsupported operand type: '{type(b).__name__}'")
    elif isinstance(b, Tensor):
        bd = b._data
        if bd.dtype.kind == "f" and type(a) in (float, int):
            return a, bd
        if not isinstance(a, (bool, int, float)):
            raise TypeError(f"unsupported operand type: '{type(a).__name__}'")
    dt = _dtype.result_type(a, b)
    if floating and not dt.is_floating_point:
        dt = _dtype.get_default_dtype()
    return cast(a, dt.np), cast(b, dt.np)


def cast(x, np_dtype):
    if isinstance(x, Tensor):
        d = x._data
        return d if d.dtype == np_dtype else _convert(d, np_dtype)
    return _convert(x, np_dtype)


@quiet
def _convert(x, np_dtype):
    """torch's type promotion casts quietly: a float64 5e-324 becomes float32 0, 1e300 inf."""
    return np.asarray(x, dtype=np_dtype)


def check_broadcast(a: np.ndarray, b: np.ndarray) -> None:
    """torch's message for shapes that do not broadcast (NumPy's differs), raised as RuntimeError."""
    sa, sb = np.shape(a), np.shape(b)
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {max(len(sa), len(sb)) - i}")


# ----- installing the public forms ---------------------------------------------------------

def methods(**forms) -> None:
    """Attach functions to Tensor under the given method/operator names; the named methods with torch's
    argument check (``_errors.tensor_arguments``: a bad argument named as torch's parser names it)."""
    for name, fn in forms.items():
        if isinstance(fn, FunctionType) and not name.startswith("__") and not getattr(fn, "__tensor_arguments__", 0) \
                and not may_warn(fn):
            fn = tensor_arguments(fn, name, first=False, method=True)
        setattr(Tensor, name, fn)


def inplace_method(op, ufunc=None, elementwise: bool = False):
    """``Tensor.op_``: the out-of-place op written into self by Tensor._inplace.  An optimizer's update
    (grad mode off, not a view, floating, an operand tensor of the same dtype and shape: nothing to
    refuse, record, cast or broadcast) goes straight to ``ufunc``.  ``elementwise``: torch runs the op
    through its TensorIterator, which refuses operands that partly overlap the tensor written to."""
    quiet_ufunc = quiet(ufunc) if ufunc is not None else None  # (made once: NumPy's warnings off, as torch)
    from ._views import check_no_partial_overlap  # (it builds on this module)

    def method(self, *args, **kwargs):
        if elementwise:
            check_no_partial_overlap(self, (*args, *kwargs.values()))
        if ufunc is not None and len(args) == 1 and not kwargs and not _grad_state.enabled and self._base is None:
            other = args[0]
            if isinstance(other, Tensor):
                data, operand = self._data, other._data
                if operand.dtype is data.dtype and data.dtype.kind == "f" and operand.shape == data.shape:
                    quiet_ufunc(data, operand, out=data)
                    return self._written()
        return self._inplace(op, *args, ufunc=ufunc, **kwargs)
    method.__name__ = op.__name__ + "_"
    method.__op__ = op  # type: ignore[attr-defined]  # (its parameters name a bad argument: _errors.tensor_arguments)
    return method


def elementwise_inplace(op, ufunc=None):
    """``inplace_method`` for an op torch runs elementwise (its TensorIterator): operands that partly overlap
    the tensor written to are refused."""
    return inplace_method(op, ufunc, elementwise=True)
