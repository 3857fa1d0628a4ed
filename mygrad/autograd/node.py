"""Graph nodes: one class per torch backward node, generated from formulas written as data.

A derivative is declared like a line of torch's ``derivatives.yaml``::

    MulBackward0 = derivative("MulBackward0", self="grad * other", other="grad * self")

Each formula is an expression in ``grad`` (the incoming gradient), the names the forward
saved (inputs by name, ``result`` for the output, and attributes such as ``dim``), and
the functions of a formula namespace (``backends.py``).  It is compiled twice: once over
NumPy arrays (the fast path) and once over mygrad tensors, so that ``create_graph=True``
differentiates the very same formula.  What a node saves follows from the names its
formulas use, and only for inputs that require grad, as torch's generated code does;
that decides where a second backward raises and which in-place edits break a backward.
"""
from __future__ import annotations

import ast
import re
import types
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy import ndarray

from .._tensor_str import type_name
from . import _source as codegen, backends

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward.")

_FREED = object()   # what a released tensor slot holds
_METADATA: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> its ``metadata`` dict


class Node:
    """A backward function: ``next_functions`` are ``(node, output_nr)`` edges, one per forward input.

    The edges are kept as two flat tuples, the nodes and the output numbers: a graph then holds
    two containers per node instead of one per edge plus one, which is what the cyclic garbage
    collector scans again and again while a long graph is alive."""

    __slots__ = ("_next_nodes", "_next_nrs", "_sequence_nr", "_hooks", "__weakref__")
    n_outputs = 1
    _next_nodes: tuple[Node | None, ...]
    _next_nrs: tuple[int, ...]
    _sequence_nr: float
    _hooks: NodeHooks | None

    @property
    def next_functions(self) -> tuple:
        return tuple(zip(self._next_nodes, self._next_nrs))

    @next_functions.setter
    def next_functions(self, edges: Any) -> None:
        self._next_nodes = tuple(node for node, _ in edges)
        self._next_nrs = tuple(nr for _, nr in edges)

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        """Free-form storage torch offers on every node (kept beside it, nodes having slots)."""
        metadata: dict = _METADATA.setdefault(self, {})
        return metadata

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _hooks_or_new(self) -> NodeHooks:
        if self._hooks is None:
            self._hooks = NodeHooks()
        return self._hooks

    def register_hook(self, fn: Any) -> Any:
        """fn(grad_inputs, grad_outputs) after the node ran; a non-None return replaces grad_inputs."""
        return _Handle(self._hooks_or_new().post, fn)

    def register_prehook(self, fn: Any) -> Any:
        """fn(grad_outputs) before the node runs; a non-None return replaces grad_outputs."""
        return _Handle(self._hooks_or_new().pre, fn)

    def release(self) -> None:
        pass

    def apply(self, grads: list, create_graph: bool, release: bool = False) -> list:
        """The gradient for each forward input; ``release``: free the saved values after (no retain_graph)."""
        raise NotImplementedError


class NodeHooks:
    """Hooks attached to a node: tensor hooks and retain_grad per output, node pre/post hooks."""

    __slots__ = ("tensor", "retain", "pre", "post")

    def __init__(self) -> None:
        self.tensor: dict[int, list[Callable[..., Any]]] = {}   # output_nr -> [fn(grad) -> grad | None]
        self.retain: dict[int, Any] = {}   # output_nr -> weakref to the tensor that retains its grad
        self.pre: list[Callable[..., Any]] = []
        self.post: list[Callable[..., Any]] = []


class _Handle:
    """What register_hook returns: ``.remove()`` takes the hook out again."""

    def __init__(self, hooks: list, fn: Any) -> None:
        self._hooks, self._fn = hooks, fn
        hooks.append(fn)

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad(Node):
    """The node that adds a leaf's gradient into ``leaf.grad``; one per leaf, shared by every use."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable
        self._next_nodes = self._next_nrs = ()
        self._sequence_nr = float("inf")  # torch runs these as soon as they are ready
        self._hooks = None

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


class OutputRef:
    """A saved forward output: its data and version counter, without a reference back to the node
    (saving the output tensor itself would make a reference cycle)."""

    __slots__ = ("_data", "_vc", "output_nr")

    def __init__(self, tensor: Any) -> None:
        self._data = tensor._data
        self._vc = tensor._vc
        self.output_nr = tensor._output_nr


class FormulaNode(Node):
    """A node whose backward is a formula per input.  Subclasses are made by ``derivative``; their
    ``apply`` and ``release`` are generated from their formulas on first use."""

    __slots__ = ("_saved", "_versions", "_input_meta")
    _saved: tuple      # the saved values, in ``saved_names``' order (set by the generated attach)
    _versions: tuple   # per saved value: its tensor's version, True (an array), ReadFrom, or None

    input_names: tuple = ()
    saved_names: tuple = ()      # every name the formulas read, in a fixed order
    attributes: tuple = ()       # the declared names that are neither inputs nor ``result`` (dim, shape...)
    output_names: tuple = ()     # a multi-output node's named outputs (``derivative(outputs=...)``)
    tensor_slots: frozenset = frozenset()   # saved names that are freed after backward
    tensor_formulas: tuple = ()  # per input: compiled over mygrad tensors, or None (create_graph)
    formulas: dict = {}          # per input: the formula text, or None
    multi_output: bool = False   # several outputs share the node (see ``derivative``)
    undefined_grads: bool = False  # its formulas see None for an output no gradient reached (terms per output)
    uses: tuple = ()             # per input: the saved names its formula reads
    _attach = None               # attach(out, inputs, saved) -> node | None, generated on first use, and
    _record = None               # record(data, inputs, saved) -> Tensor (ops/_define.py)

    def apply(self, grads: list, create_graph: bool, release: bool = False) -> list:
        """Generated for each class from its formulas on its first backward (``generate_apply``), which
        replaces this method on the class: importing mygrad compiles no backward it does not run."""
        cls = type(self)
        cls.apply = generate_apply(cls)  # type: ignore[method-assign]
        return cls.apply(self, grads, create_graph, release)

    def release(self) -> None:
        """Free the saved tensors; generated on first use like ``apply`` (``generate_release``)."""
        cls = type(self)
        cls.release = generate_release(cls)  # type: ignore[method-assign]
        cls.release(self)

    def __getattr__(self, attr: Any) -> Any:
        # torch exposes saved values as node._saved_<name>
        names = type(self).saved_names
        if attr.startswith("_saved_") and attr[7:] in names:
            i = names.index(attr[7:])
            value, version = self._saved[i], self._versions[i]
            if value is _FREED:
                raise RuntimeError(FREED_MESSAGE)
            if version is None or version is True or type(version) is ReadFrom:
                if attr[7:] in type(self).input_names and type(value) in (bool, int, float):
                    return _wrapped_number(value)  # torch saves a number given for a tensor as a 0-d tensor
                if version is not None:
                    return _as_saved_tensor(value)  # an index, a mask, an array given for a tensor (``freed``)
                return value
            return backends.saved_as_tensor(value, self)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def __dir__(self) -> list:
        """torch lists a node's saved values (``_saved_<name>``) among its attributes."""
        return sorted({*super().__dir__(), *(f"_saved_{n}" for n in type(self).saved_names)})


def _as_saved_tensor(value: Any) -> Any:
    """A saved index or mask (kept as arrays: the formulas read them so) as torch shows it: a tensor,
    or for an indexing tuple torch's list of optional tensors (a full slice is None; trailing ones dropped)."""
    make = backends.TENSOR["Tensor"]._make
    if isinstance(value, (tuple, list)):
        shown = [make(np.asarray(v), False, None) if isinstance(v, (ndarray, np.generic)) else
                 None if v == slice(None) else v for v in value]
        while shown and shown[-1] is None:
            shown.pop()
        return tuple(shown)
    if isinstance(value, (ndarray, np.generic, bool, int, float)):
        return make(np.asarray(value), False, None)
    return value


def _wrapped_number(value: bool | int | float) -> Any:
    """A Python number as torch wraps it for a tensor argument: float64, int64 or bool, 0-d."""
    dtype = np.bool_ if type(value) is bool else np.int64 if type(value) is int else np.float64
    return backends.TENSOR["Tensor"]._make(np.array(value, dtype=dtype), False, None)


class ReadFrom:
    """The versions of the tensors a saved array was read from (an index, a mask, the indices of a key, a
    loss's weight), kept in the node's version slot: the formulas read the array, and an in-place edit of one
    of the tensors breaks the backward, as torch's saved tensors do (``read_from``)."""

    __slots__ = ("read",)

    def __init__(self, tensors: list) -> None:
        self.read = tuple((t, t._vc[0]) for t in tensors)

    def check(self, node: Any) -> None:
        for tensor, version in self.read:
            if tensor._vc[0] != version:
                raise RuntimeError(_version_message(tensor, version, node))


def read_from(out: Any, **tensors: Any) -> Any:
    """``out``, its node's saved arrays (by name) version-checked against the tensors (a tensor, None, or a
    sequence of them, for a key) they were read from."""
    node = out.grad_fn
    if node is None or not isinstance(node, FormulaNode):
        return out
    names, versions = type(node).saved_names, list(node._versions)
    for name, given in tensors.items():
        i = names.index(name)
        read = [t for t in (given if isinstance(given, (tuple, list)) else (given,)) if hasattr(t, "_vc")]
        if versions[i] is True and read:   # (an array saved unchecked; None: not saved, no formula reads it)
            versions[i] = ReadFrom(read)
    node._versions = tuple(versions)
    return out


def _version_message(value: Any, expected: Any, node: Any) -> str:
    """torch's text: a saved output names the op that made it ("output 0 of Exp"); a leaf names nothing."""
    dtype = value._data.dtype   # (a bool tensor, a mask, is named by its dispatch key: torch's odd string)
    described = f"[{'CPUBoolType' if dtype == np.bool_ else type_name(dtype)} {list(value._data.shape)}]"
    maker = node if isinstance(value, OutputRef) else value.grad_fn
    if maker is not None:
        op = re.sub(r"Backward\d*$", "", maker.name())
        described += f", which is output {getattr(value, 'output_nr', getattr(value, '_output_nr', 0))} of {op},"
    return (f"one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"{described} is at version {value._vc[0]}; expected version {expected} instead. Hint: enable anomaly "
            f"detection to find the operation that failed to compute its gradient, with "
            f"torch.autograd.set_detect_anomaly(True, check_nan=False).")


def derivative(name: str, *, multi_output: bool = False, attrs: str | tuple[str, ...] = (),
               freed: tuple[str, ...] = (), outputs: str = "", **formulas: str | None) -> type:
    """Make the node class ``name`` from one formula per forward input, in input order.

    A formula is a string expression (see the module docstring) or None for an input that has no
    gradient (an index, a mask).  It may read ``grad``, the inputs by name, ``result`` (the output),
    the functions of the formula namespace (``backends.py``) and the attributes declared in ``attrs``
    (``"dim keepdim"``: values that are not tensors, which the forward passes to ``record`` by name);
    any other name is a typo and raises here, at import.
    ``freed``: saved names that are not inputs but tensors torch saves (where's condition): freed after
    backward like the inputs, so a second backward through them raises as torch's does.
    ``multi_output``: one node for several outputs (split, unbind; made by ``record_multi``);
    its formulas see ``grad`` as the list of every output's gradient, zeros where none came.  A multi-output
    formula may instead be a tuple of one term per output (``grad[k]`` read by term k): the terms of the
    outputs no gradient reached are left out, as torch's formulas skip an undefined gradient.
    ``outputs``: a multi-output node's output names, in order (``"min max"``, as derivatives.yaml names
    them); a formula reads output k by its name, saved as ``result`` is (version-checked, freed after backward).
    """
    per_output = any(isinstance(text, tuple) for text in formulas.values())
    if per_output:
        if not multi_output:
            raise TypeError(f"{name}: a tuple of terms per output needs multi_output=True")
        formulas = {n: text if not isinstance(text, tuple) else "sum_defined(" + ", ".join(
            f"None if grad[{k}] is None else ({term})" for k, term in enumerate(text)) + ")"
            for n, text in formulas.items()}
    input_names = tuple(formulas)
    attributes = tuple(attrs.replace(",", " ").split()) if isinstance(attrs, str) else tuple(attrs)
    output_names = tuple(outputs.split())
    if output_names and not multi_output:
        raise TypeError(f"{name}: named outputs need multi_output=True")
    allowed = {"grad", "result", *input_names, *attributes, *freed, *output_names}
    uses = []
    for input_name, text in formulas.items():
        read = () if text is None else _free_names(text)
        for n in read:
            if n not in allowed and n not in backends.NAMES:
                raise NameError(f"{name}: the formula for {input_name!r} reads {n!r}, which is not an input, "
                                f"'grad', 'result', an output, a formula function or a declared attribute "
                                f"(attrs={' '.join(attributes)!r})")
        uses.append(tuple(n for n in read if n in allowed and n != "grad"))  # (a declared name wins)
    saved_names = tuple(dict.fromkeys(n for u in uses for n in u))
    unread = [a for a in attributes if a not in saved_names]
    if unread:
        raise NameError(f"{name}: attributes declared but read by no formula: {unread}")
    params = ("grad",) + saved_names
    codes = [None if text is None else codegen.expression(name, input_name, params, text)
             for input_name, text in formulas.items()]
    cls: type[FormulaNode] = type(name, (FormulaNode,), dict(
        __slots__=("n_outputs", "_output_meta") if multi_output else (), multi_output=multi_output,
        undefined_grads=per_output,
        input_names=input_names, saved_names=saved_names, attributes=attributes, output_names=output_names,
        tensor_slots=frozenset(n for n in saved_names
                               if n in input_names or n == "result" or n in freed or n in output_names),
        tensor_formulas=tuple(None if c is None else types.FunctionType(c, backends.TENSOR) for c in codes),
        uses=tuple(uses), formulas=dict(formulas)))
    return cls


def _unpack_lines(cls: type[FormulaNode], convert: str) -> list:
    """Check each saved tensor slot (freed? edited in place since?) and turn it into ``convert``
    (``{value}._data``, or the saved value as a tensor in the graph)."""
    lines = []
    for i, value in enumerate(cls.saved_names):
        if value not in cls.tensor_slots:
            continue
        lines += [f"    if _v{i} is not None:",
                  f"        if {value} is _FREED:",
                  "            raise RuntimeError(_FREED_MESSAGE)",
                  f"        if _v{i}.__class__ is _ReadFrom:",   # (an array read from a tensor)
                  f"            _v{i}.check(_node)",
                  f"        elif _v{i} is not True:",
                  f"            if {value}._vc[0] != _v{i}:",
                  f"                raise RuntimeError(_version_message({value}, _v{i}, _node))",
                  f"            {value} = {convert.format(value=value)}"]
    return lines


def generate_apply(cls: type[FormulaNode], formulas: dict | None = None) -> Any:
    """``apply`` for one node class, generated from its formulas (or from ``formulas``, texts per
    input: a test's deliberately wrong formula).  Over arrays, each formula's text is inlined and
    each saved value unpacked by name, so the backward of an op costs one Python call; under
    ``create_graph`` the same formulas run over tensors (``tensor_formulas``, read from the class at
    call time).  Each gradient is then conformed to its input's shape and dtype, and with
    ``_release`` the saved tensors are freed."""
    name, saved_names = cls.__name__, cls.saved_names
    kind = "apply" if formulas is None else "apply (given formulas)"  # (the class's own source stays readable)
    formulas = cls.formulas if formulas is None else formulas
    inputs = range(len(formulas))
    tensor_slots = [i for i, n in enumerate(saved_names) if n in cls.tensor_slots]
    head = ["def apply(_node, _grads, _create_graph, _release=False):"]
    if saved_names:
        head.append(f"    {''.join(n + ', ' for n in saved_names)}= _node._saved")
    if tensor_slots:
        head.append(f"    {''.join(f'_v{i}, ' for i in range(len(saved_names)))}= _node._versions")
    if inputs:
        head += [f"    {''.join(f'_n{i}, ' for i in inputs)}= _node._next_nodes",
                 f"    {''.join(f'_m{i}, ' for i in inputs)}= _node._input_meta"]
    # under create_graph: the tensor formulas
    lines = head + ["    if _create_graph:"]
    lines += ["    " + line for line in _unpack_lines(cls, "_saved_as_tensor({value}, _node)")]
    lines.append("        grad = " + ("list(_grads)" if cls.undefined_grads else
                                      "[_TENSOR['zeros_of'](_m) if _g is None else _g "
                                      "for _g, _m in zip(_grads, _node._output_meta)]" if cls.multi_output
                                      else "_grads[0]"))
    if inputs:
        lines.append(f"        {''.join(f'_f{i}, ' for i in inputs)}= _node.tensor_formulas")
    # torch's generated code runs the formulas in the order of the input names sorted (its derivatives.yaml
    # keys, sorted when loaded): the nodes they record get their sequence numbers in that order, and the
    # engine's order, and so the order it sums gradients in, follows them
    for i, text in sorted(enumerate(formulas.values()), key=lambda it: list(formulas)[it[0]]):
        if text is None:
            lines.append(f"        _g{i} = None")
            continue
        lines += [f"        _g{i} = None if _n{i} is None else _f{i}(grad, {''.join(n + ', ' for n in saved_names)})",
                  f"        if _g{i} is not None:",
                  f"            _g{i} = _TENSOR['_conform'](_g{i}, _m{i})"]
    lines.append("    else:")
    # the fast path: over arrays, the formulas inlined
    lines += ["    " + line for line in _unpack_lines(cls, "{value}._data")]
    lines.append("        grad = " + ("list(_grads)" if cls.undefined_grads else
                                      "[zeros_of(_m) if _g is None else _g "
                                      "for _g, _m in zip(_grads, _node._output_meta)]" if cls.multi_output
                                      else "_grads[0]"))
    for i, text in enumerate(formulas.values()):
        if text is None:
            lines.append(f"        _g{i} = None")
            continue
        lines += [f"        if _n{i} is None:",
                  f"            _g{i} = None",
                  "        else:",
                  f"            _g{i} = ({text})",
                  f"            if _g{i} is not None and (type(_g{i}) is not _ndarray or _g{i}.shape != _m{i}[0] "
                  f"or _g{i}.dtype != _m{i}[1]):",
                  f"                _g{i} = _conform(_g{i}, _m{i})"]
    if tensor_slots:  # (a value unpacked above was checked, so its version is not None)
        kept = ", ".join(f"_FREED if _v{i} is not None else {n}" if i in tensor_slots else n
                         for i, n in enumerate(saved_names))
        lines += ["    if _release:",
                  f"        _node._saved = ({kept},)"]
    lines.append(f"    return [{', '.join(f'_g{i}' for i in inputs)}]")
    return codegen.define(name, kind, "\n".join(lines) + "\n", backends.ARRAY)


def generate_release(cls: type[FormulaNode]) -> Any:
    """``release`` for one node class: free the saved tensors (a backward without retain_graph that
    did not run the node's apply, or a node inside CopySlices); attributes stay."""
    saved_names = cls.saved_names
    tensor_slots = [i for i, n in enumerate(saved_names) if n in cls.tensor_slots]
    lines = ["def release(_node):"]
    if not tensor_slots:
        lines.append("    pass")
    else:
        kept = ", ".join(f"_FREED if _v{i} is not None else {n}" if i in tensor_slots else n
                         for i, n in enumerate(saved_names))
        lines += [f"    {''.join(n + ', ' for n in saved_names)}= _node._saved",
                  f"    {''.join(f'_v{i}, ' for i in range(len(saved_names)))}= _node._versions",
                  f"    _node._saved = ({kept},)"]
    return codegen.define(cls.__name__, "release", "\n".join(lines) + "\n", backends.ARRAY)


def _free_names(text: str) -> list:
    """Names an expression reads from outside itself (not attributes, not comprehension variables)."""
    tree = ast.parse(text, mode="eval")
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    return list(dict.fromkeys(n.id for n in ast.walk(tree)
                              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound))


# what the generated ``apply`` and ``release`` functions read besides the formula functions
backends.ARRAY.update(_FREED=_FREED, _FREED_MESSAGE=FREED_MESSAGE, _version_message=_version_message,
                      _ReadFrom=ReadFrom, _ndarray=ndarray, _TENSOR=backends.TENSOR,
                      _saved_as_tensor=backends.saved_as_tensor)
