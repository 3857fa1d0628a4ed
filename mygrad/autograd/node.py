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
import itertools
import types
import weakref

from numpy import ndarray

from . import backends

_sequence = itertools.count()
_METADATA: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # node -> its ``metadata`` dict

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward.")

_FREED = object()   # what a released tensor slot holds
_ABSENT = object()  # a slot not saved because no input needing it requires grad
_ALL_FREED = tuple((_FREED,) * n for n in range(8))  # a released node whose every saved value was checked


class Node:
    """A backward function: ``next_functions`` are ``(node, output_nr)`` edges, one per forward input.

    The edges are kept as two flat tuples, the nodes and the output numbers: a graph then holds
    two containers per node instead of one per edge plus one, which is what the cyclic garbage
    collector scans again and again while a long graph is alive."""

    __slots__ = ("_next_nodes", "_next_nrs", "_sequence_nr", "_hooks", "__weakref__")
    n_outputs = 1

    @property
    def next_functions(self) -> tuple:
        return tuple(zip(self._next_nodes, self._next_nrs))

    @next_functions.setter
    def next_functions(self, edges) -> None:
        self._next_nodes = tuple(node for node, _ in edges)
        self._next_nrs = tuple(nr for _, nr in edges)

    def name(self) -> str:
        return type(self).__name__

    @property
    def metadata(self) -> dict:
        """Free-form storage torch offers on every node (kept beside it, nodes having slots)."""
        return _METADATA.setdefault(self, {})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _hooks_or_new(self) -> "NodeHooks":
        if self._hooks is None:
            self._hooks = NodeHooks()
        return self._hooks

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) after the node ran; a non-None return replaces grad_inputs."""
        return _Handle(self._hooks_or_new().post, fn)

    def register_prehook(self, fn):
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

    def __init__(self):
        self.tensor = {}   # output_nr -> [fn(grad) -> grad | None]
        self.retain = {}   # output_nr -> weakref to the tensor that retains its grad
        self.pre = []
        self.post = []


class _Handle:
    """What register_hook returns: ``.remove()`` takes the hook out again."""

    def __init__(self, hooks: list, fn):
        self._hooks, self._fn = hooks, fn
        hooks.append(fn)

    def remove(self) -> None:
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class AccumulateGrad(Node):
    """The node that adds a leaf's gradient into ``leaf.grad``; one per leaf, shared by every use."""

    __slots__ = ("variable",)

    def __init__(self, variable):
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

    def __init__(self, tensor):
        self._data = tensor._data
        self._vc = tensor._vc
        self.output_nr = tensor._output_nr


class FormulaNode(Node):
    """A node whose backward is a formula per input.  Subclasses are made by ``derivative``."""

    __slots__ = ("_saved", "_versions", "_input_meta")

    input_names: tuple = ()
    saved_names: tuple = ()      # every name the formulas read, in a fixed order
    tensor_slots: frozenset = frozenset()   # saved names that are freed after backward
    array_formulas: tuple = ()   # per input: compiled over NumPy arrays, or None
    tensor_formulas: tuple = ()  # per input: compiled over mygrad tensors, or None
    multi_output: bool = False   # several outputs share the node (see ``derivative``)
    uses: tuple = ()             # per input: the saved names its formula reads
    _attach = None               # attach(out, inputs, saved) -> node | None, generated on first use, and
    _record = None               # record(data, inputs, saved) -> Tensor (ops/_define.py)

    def release(self) -> None:
        saved, versions = self._saved, self._versions
        kept = versions.count(None)  # attributes; the rest are version-checked values, freed here
        if saved and kept != len(versions):
            self._saved = _ALL_FREED[len(saved)] if not kept and len(saved) < len(_ALL_FREED) else tuple(
                _FREED if ver is not None else v for v, ver in zip(saved, versions))

    def _unpack(self, as_tensors: bool) -> list:
        args = list(self._saved)
        for i, version in enumerate(self._versions):
            if version is None:
                continue
            value = args[i]
            if value is _FREED:
                raise RuntimeError(FREED_MESSAGE)
            if value is not _ABSENT and version is not True:
                if value._vc[0] != version:
                    raise RuntimeError(_version_message(value, version, self))
                args[i] = backends.saved_as_tensor(value, self) if as_tensors else value._data
        return args

    def apply(self, grads: list, create_graph: bool, release: bool = False) -> list:
        """The gradient for each input (None where it needs none), shaped and typed like that input."""
        if create_graph:
            args = self._unpack(True)
            formulas, ns = self.tensor_formulas, backends.tensor_namespace()
        else:
            versions = self._versions
            args = self._saved if versions.count(None) == len(versions) else self._unpack(False)
            formulas, ns = self.array_formulas, backends.ARRAY
        grad = self._materialize(grads, ns) if self.multi_output else grads[0]
        conform = ns["_conform"]
        out = []
        for node, formula, meta in zip(self._next_nodes, formulas, self._input_meta):
            if node is None or formula is None:
                out.append(None)
                continue
            g = formula(grad, *args)
            # conforming an array that already has the input's shape and dtype does nothing: skip the call
            if g is not None and (create_graph or type(g) is not ndarray or g.shape != meta[0] or g.dtype != meta[1]):
                g = conform(g, meta)
            out.append(g)
        if release:
            self.release()
        return out

    def _materialize(self, grads, ns):
        zeros = ns["zeros_of"]
        return [zeros(meta) if g is None else g for g, meta in zip(grads, self._output_meta)]

    def __getattr__(self, attr):
        # torch exposes saved values as node._saved_<name>
        if attr.startswith("_saved_") and attr[7:] in type(self).saved_names:
            value = self._unpack(True)[type(self).saved_names.index(attr[7:])]
            if attr[7:] in type(self).input_names and type(value) in (bool, int, float):
                return _wrapped_number(value)  # torch saves a number given for a tensor as a 0-d tensor
            return value
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")


def _wrapped_number(value):
    """A Python number as torch wraps it for a tensor argument: float64, int64 or bool, 0-d."""
    import numpy as np
    from .._tensor import Tensor
    dtype = np.bool_ if type(value) is bool else np.int64 if type(value) is int else np.float64
    return Tensor._make(np.array(value, dtype=dtype), False, None)


def _version_message(value, expected, node) -> str:
    """torch's text: a saved output names the op that made it ("output 0 of Exp"); a leaf names nothing."""
    from .._tensor_str import type_name
    described = f"[{type_name(value._data.dtype)} {list(value._data.shape)}]"
    maker = node if isinstance(value, OutputRef) else value.grad_fn
    if maker is not None:
        op = re.sub(r"Backward\d*$", "", maker.name())
        described += f", which is output {getattr(value, 'output_nr', getattr(value, '_output_nr', 0))} of {op},"
    return (f"one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"{described} is at version {value._vc[0]}; expected version {expected} instead. Hint: enable anomaly "
            f"detection to find the operation that failed to compute its gradient, with "
            f"torch.autograd.set_detect_anomaly(True, check_nan=False).")


def derivative(name: str, *, multi_output: bool = False, **formulas) -> type:
    """Make the node class ``name`` from one formula per forward input, in input order.

    A formula is a string expression (see the module docstring) or None for an input that has no
    gradient (an index, a mask).  Names a formula reads that are neither ``grad`` nor functions of
    the formula namespace are what the forward must pass to ``record`` to be saved.
    ``multi_output``: one node for several outputs (split, unbind; made by ``record_multi``);
    its formulas see ``grad`` as the list of every output's gradient, zeros where none came.
    """
    input_names = tuple(formulas)
    uses = []
    for input_name, text in formulas.items():
        read = () if text is None else _free_names(text)
        uses.append(tuple(n for n in read if n != "grad" and n not in backends.NAMES))
    saved_names = tuple(dict.fromkeys(n for u in uses for n in u))
    codes = [None if text is None else _lambda_code(f"{name}.{input_name}", text, saved_names)
             for input_name, text in formulas.items()]
    attrs = dict(
        __slots__=("n_outputs", "_output_meta") if multi_output else (), multi_output=multi_output,
        input_names=input_names, saved_names=saved_names,
        tensor_slots=frozenset(n for n in saved_names if n in input_names or n == "result"),
        array_formulas=tuple(None if c is None else types.FunctionType(c, backends.ARRAY) for c in codes),
        tensor_formulas=tuple(None if c is None else types.FunctionType(c, backends.TENSOR) for c in codes),
        uses=tuple(uses), formulas=dict(formulas))
    if not multi_output and formulas:
        attrs["apply"] = _array_apply(name, formulas, saved_names)
    return type(name, (FormulaNode,), attrs)


def _array_apply(name: str, formulas: dict, saved_names: tuple):
    """``apply`` for one node class, generated from its formulas: the array path of FormulaNode.apply
    with each formula's text inlined and each saved value unpacked (and, with ``_release``, freed) by
    name, so the backward of an op costs one Python call instead of apply, _unpack, release and a
    formula lambda per input.  Under ``create_graph`` it hands over to the generic FormulaNode.apply
    (over the tensor formulas, which the conformance suite's double check covers)."""
    inputs = range(len(formulas))
    values = ", ".join(saved_names)
    lines = ["def apply(_node, _grads, _create_graph, _release=False):",
             "    if _create_graph:",
             "        return _formula_apply(_node, _grads, True, _release)"]
    if saved_names:
        lines.append(f"    {values}, = _node._saved")
    tensor_slots = [(i, n) for i, n in enumerate(saved_names) if n in formulas or n == "result"]
    if tensor_slots:
        lines.append(f"    {', '.join(f'_v{i}' for i in range(len(saved_names)))}, = _node._versions")
    for i, value in tensor_slots:  # what FormulaNode._unpack does, per name
        lines += [f"    if _v{i} is not None:",
                  f"        if {value} is _FREED:",
                  f"            raise RuntimeError(_FREED_MESSAGE)",
                  f"        if _v{i} is not True:",
                  f"            if {value}._vc[0] != _v{i}:",
                  f"                raise RuntimeError(_version_message({value}, _v{i}, _node))",
                  f"            {value} = {value}._data"]
    lines += ["    grad = _grads[0]",
              f"    {''.join(f'_n{i}, ' for i in inputs)}= _node._next_nodes",
              f"    {''.join(f'_m{i}, ' for i in inputs)}= _node._input_meta"]
    for i, text in enumerate(formulas.values()):
        if text is None:
            lines.append(f"    _g{i} = None")
            continue
        lines += [f"    if _n{i} is None:",
                  f"        _g{i} = None",
                  f"    else:",
                  f"        _g{i} = ({text})",
                  f"        if _g{i} is not None and (type(_g{i}) is not _ndarray or _g{i}.shape != _m{i}[0] "
                  f"or _g{i}.dtype != _m{i}[1]):",
                  f"            _g{i} = _conform(_g{i}, _m{i})"]
    if tensor_slots:  # release: what FormulaNode.release does, per name
        freed = {n for _, n in tensor_slots}  # (a value unpacked above was checked, so its version is not None)
        kept = ", ".join(f"_FREED if _v{i} is not None else {n}" if n in freed else n for i, n in enumerate(saved_names))
        lines += ["    if _release:",
                  f"        _node._saved = ({kept},)"]
    lines.append(f"    return [{', '.join(f'_g{i}' for i in inputs)}]")
    source = "\n".join(lines) + "\n"
    namespace = {}
    exec(compile(source, f"<{name}.apply>", "exec"), backends.ARRAY, namespace)
    return namespace["apply"]


def _free_names(text: str) -> list:
    """Names an expression reads from outside itself (not attributes, not comprehension variables)."""
    tree = ast.parse(text, mode="eval")
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    return list(dict.fromkeys(n.id for n in ast.walk(tree)
                              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound))


def _lambda_code(where: str, text: str, saved_names: tuple):
    """The code of ``lambda grad, <saved names>: <text>``; its globals (the namespace) are bound later."""
    module = compile(f"lambda {', '.join(('grad',) + saved_names)}: ({text})", f"<{where}>", "eval")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


# what the generated ``apply`` functions read besides the formula functions
backends.ARRAY.update(_formula_apply=FormulaNode.apply, _FREED=_FREED, _FREED_MESSAGE=FREED_MESSAGE,
                      _version_message=_version_message, _ndarray=ndarray)
