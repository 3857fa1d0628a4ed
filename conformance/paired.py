"""Run one drawn call in torch and in mygrad, side by side, and write down what each library did.

The same ``Example`` is turned into fresh leaf tensors of each library, the record's call form is
run, and an ``Observation`` collects everything the checks compare: the exception (if any) at each
stage, the outputs (values, dtypes, shapes, flags, grad_fn and the graph below it), the gradients
of every input after a backward with a random upstream gradient, the gradients of second order,
what the same call records under ``no_grad``, whether inputs or the upstream gradient were
modified, and which buffers share memory.  Nothing here knows the expected answer: torch's
observation is the expectation, mygrad's the thing checked.

Reading a library's objects goes through ``read``, so an engine that returns the wrong kind of
object is reported as a mismatch of the check concerned, not as a crash of the harness.
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import operator as operator_module
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .error_inputs import NumpyValue, chosen
from .registry import Example, LibAttr, Record, TensorArg

LIBRARIES = ("torch", "mygrad")   # the two sides: the oracle, and the library under test (its role name)
GRAPH_DEPTH = 8          # how deep next_functions are compared below each output
GRAPH_NODES = 200        # and how many nodes at most (composite ops stay far below)


_TESTED = ["mygrad"]


def use_library(module: str) -> None:
    """Test ``module`` (any library that imitates torch's API) instead of mygrad: the "mygrad" side
    of every observation becomes that module (``--library``)."""
    _TESTED[0] = module


def tested() -> str:
    """The module name of the library under test (``mygrad`` unless ``use_library`` said otherwise)."""
    return _TESTED[0]


def library(name: str):
    """The module of one side: ``torch``, or the library under test for the side called ``mygrad``."""
    return importlib.import_module(tested() if name == "mygrad" else name)


@dataclass(frozen=True)
class Raised:
    """An exception one library raised: at a stage of the call (``Observation.errors``) or while
    reading an attribute (``read``), where it stands in for the value in the diff of the check that
    needed it.  Two are equal when they are of the same class: messages differ between libraries
    (and torch's own reads raise too, e.g. the grad_fn of a view made under no_grad and modified in place)."""
    cls: str
    message: str = field(default="", compare=False)

    @classmethod
    def of(cls, exc: BaseException) -> "Raised":
        return cls(type(exc).__name__, str(exc).split("\n")[0][:300])

    def __str__(self) -> str:
        return f"{self.cls}: {self.message}"

    def __repr__(self) -> str:
        return f"<unreadable: {self.cls}: {self.message}>"


@dataclass
class TensorObs:
    """What one tensor looked like: its value (a NumPy copy), dtype name, shape and autograd state."""
    value: Any
    dtype: str
    shape: tuple
    requires_grad: Any
    is_leaf: Any
    grad_fn: Any          # class name or None
    graph: Any = None     # the next_functions tree below grad_fn (see ``graph_of``)


@dataclass
class Observation:
    """Everything one library did with one example."""
    lib: str
    errors: dict = field(default_factory=dict)      # stage -> Raised: forward, backward, double, no_grad
    structure: Any = None                           # ("tensor",), ("sequence", type, n), ("scalar", type)
    outputs: list = field(default_factory=list)     # TensorObs, or ("scalar", value) entries
    returns_self: Any = None                        # in-place form: the call returned the tensor it changed
    upstream: list = field(default_factory=list)    # (output index, array) given to backward
    grads: list = field(default_factory=list)       # per input leaf: None or TensorObs of its .grad
    first: list | None = None                       # create_graph grads: None or TensorObs (requires_grad set)
    weights: list | None = None                     # the random v per first-order grad (None: not used)
    second: list | None = None                      # grads of sum(first * v): None or TensorObs
    no_grad: list | None = None                     # outputs under no_grad: TensorObs (flags only)
    layouts: list = field(default_factory=list)     # per input: plain, or the view it was made as
    inputs_before: list = field(default_factory=list)   # input values as drawn
    inputs_after: list = field(default_factory=list)    # input values after forward and backward
    upstream_changed: list = field(default_factory=list)  # indices of upstream grads the backward modified
    aliases: set = field(default_factory=set)       # label pairs of buffers that share memory
    numel: int = 1                                  # the largest tensor involved (tolerances grow with it)
    forward_ad: Any = None                          # per output: its tangent (None: none), or Raised (transforms.py)
    functional: Any = None                          # {"jacobian": ..., "hessian": ...} (transforms.py)
    error_inputs: list = field(default_factory=list)  # (label, Raised or ("returned", structure, outputs))
    bad_calls: dict = field(default_factory=dict)   # label -> the corrupted Example (error_inputs.py)
    saved: list | None = None                       # per graph node: (name, {_saved_ attr: (before, after)})


# ----- building inputs and calling ---------------------------------------------------------------

def tensor_args(example: Example) -> list[TensorArg]:
    """The example's tensors in the order ``build`` makes leaves of them: positional arguments first
    (lists and tuples entered), then keyword values.  Input ``i`` is called ``x{i}`` everywhere."""
    found = []

    def walk(v):
        if isinstance(v, TensorArg):
            found.append(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x)
    walk(example.args)
    walk(tuple(example.kwargs.values()))
    return found


def leaf_names(example: Example) -> list[str]:
    return [f"x{i}" for i in range(len(tensor_args(example)))]


# How an input tensor is made, besides a plain leaf: a view into a larger tensor that does not require grad,
# given requires_grad_ itself (a leaf view), so every op meets storage offsets and non-contiguous strides
# (a transposed or a strided view; NONCONTIGUOUS switches the latter off).
LAYOUTS = ("plain", "offset", "transposed", "strided")
VIEW_SHARE = 6   # 1 input in VIEW_SHARE is an offset view, and (NONCONTIGUOUS) 1 in VIEW_SHARE a non-contiguous one
NONCONTIGUOUS = [True]   # draw non-contiguous inputs too (a list: a run or a test may switch it off)


def choose_layouts(example: Example, seed: int) -> list[str]:
    """Each input's layout, derived from the example's drawn seed (so both libraries and a replay agree):
    mostly plain; otherwise an offset view where the input has a dim to offset along, or (NONCONTIGUOUS)
    a transposed view where it has two dims, else a strided one."""
    layouts = []
    for i, arg in enumerate(tensor_args(example)):
        pick = (seed * 7919 + i * 104729) % VIEW_SHARE
        ndim = np.ndim(arg.array)
        layout = "plain"
        if ndim >= 1 and not arg.parameter:
            if pick == 0:
                layout = "offset"
            elif pick == 1 and NONCONTIGUOUS[0] and not arg.contiguous:
                layout = "transposed" if ndim >= 2 else "strided"
        layouts.append(layout)
    return layouts


def layout_source(array: np.ndarray, layout: str) -> tuple[np.ndarray, str]:
    """The base array a view is cut from, and the indexing (Python source) that cuts ``array`` back out."""
    if layout == "transposed":
        return np.swapaxes(array, -1, -2).copy(), ".transpose(-1, -2)"   # (a fresh copy: canonical strides)
    if layout == "offset":
        return np.concatenate([np.zeros((1,) + array.shape[1:], array.dtype), array]), "[1:]"
    if layout == "strided":
        return np.repeat(array, 2, axis=-1), "[..., ::2]"
    return array, ""


def _cut(t, layout: str):
    if layout == "transposed":
        return t.transpose(-1, -2)
    if layout == "offset":
        return t[1:]
    return t[..., ::2]


def build(lib, example: Example, layouts: list | None = None) -> tuple[tuple, dict, list]:
    """Fresh leaves for every TensorArg (requires_grad as drawn, floating dtypes only), other values as is;
    ``layouts`` (from ``choose_layouts``) makes some of them leaf views of a larger, grad-free tensor."""
    leaves: list = []
    layouts = layouts or []

    def convert(v):
        if isinstance(v, TensorArg):
            array = np.array(v.array, copy=True)
            requires_grad = bool(v.requires_grad) and array.dtype.kind == "f"
            layout = layouts[len(leaves)] if len(leaves) < len(layouts) else "plain"
            if layout != "plain":
                base, _ = layout_source(array, layout)
                t = _cut(lib.tensor(base), layout).requires_grad_(requires_grad)
                leaves.append(t)
                return t
            t = lib.tensor(array, requires_grad=requires_grad)
            if v.parameter:
                t = lib.nn.Parameter(t, requires_grad=t.requires_grad)
            leaves.append(t)
            return t
        if isinstance(v, LibAttr):
            return resolve(lib, v.name)
        if isinstance(v, NumpyValue):
            return np.array(v.array, copy=True)
        if isinstance(v, list):
            return [convert(x) for x in v]
        if isinstance(v, tuple):
            return tuple(convert(x) for x in v)
        return v
    args = tuple(convert(a) for a in example.args)
    kwargs = {k: convert(v) for k, v in example.kwargs.items()}
    return args, kwargs, leaves


def resolve(lib, dotted: str):
    """``lib.a.b.c``; submodules are imported when not yet attributes (mygrad.nn.functional)."""
    obj = lib
    for i, part in enumerate(dotted.split(".") if dotted else []):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            prefix = ".".join(dotted.split(".")[:i + 1])
            obj = importlib.import_module(f"{lib.__name__}.{prefix}")
    return obj


def operator_name(record: Record) -> str:
    return record.operator or record.name


def invoke(record: Record, form: str, lib, args: tuple, kwargs: dict):
    """Run the record's call form; returns (result, the tensor an in-place call changed or None)."""
    if form == "function":
        return resolve(lib, ".".join(p for p in (record.namespace, record.name) if p))(*args, **kwargs), None
    if form == "method":
        return getattr(args[0], record.name)(*args[1:], **kwargs), None
    if form in ("operator", "roperator"):
        if kwargs:
            raise HarnessError(f"the {form} form takes no keyword arguments, but the example has {sorted(kwargs)}")
        fn = getattr(operator_module, operator_name(record))
        if form == "roperator":
            if len(args) != 2 or _is_tensor_like(args[1]):
                raise HarnessError("the roperator form needs examples whose second argument is a Python scalar")
            return fn(args[1], args[0]), None
        return fn(*args), None
    if form == "inplace":
        target = args[0].clone()
        return getattr(target, record.name + "_")(*args[1:], **kwargs), target
    if form == "call":
        if record.call is None:
            raise HarnessError("the call form needs Record(call=...)")
        return record.call(lib, *args, **kwargs), None
    raise HarnessError(f"unknown call form {form!r}")


class HarnessError(Exception):
    """A record or example the harness cannot run (a mistake in the record, not in mygrad)."""


def _is_tensor_like(v) -> bool:
    return hasattr(v, "requires_grad") and hasattr(v, "shape")


# ----- reading a library's objects ---------------------------------------------------------------

def read(fn, *args):
    """``fn(*args)``, or a Raised standing for the exception it raised."""
    try:
        return fn(*args)
    except Exception as exc:  # the engine under test may be wrong in any way
        return Raised.of(exc)


def dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")


def to_numpy(t) -> np.ndarray:
    """A copy of a tensor's values (the library's public path: detach().numpy()).  torch's ZeroTensor
    (the immutable zero gradient of abs, sgn, ...) converts only with force=True; its values are zeros."""
    detached = t.detach()
    try:
        return np.array(detached.numpy(), copy=True)
    except RuntimeError:
        if type(t).__module__.startswith("torch") and detached._is_zerotensor():
            return np.array(detached.numpy(force=True), copy=True)
        raise


def is_tensor(lib, v) -> bool:
    return isinstance(v, lib.Tensor)


def tensor_obs(lib, t, leaf_index: dict | None = None) -> TensorObs:
    try:   # every read at once (the usual case); one that raises is redone one by one below
        grad_fn = t.grad_fn
        obs = TensorObs(value=to_numpy(t), dtype=dtype_name(t.dtype), shape=tuple(t.shape),
                        requires_grad=bool(t.requires_grad), is_leaf=bool(t.is_leaf),
                        grad_fn=None if grad_fn is None else type(grad_fn).__name__)
    except Exception:  # the engine under test may be wrong in any way (and torch's own reads can raise)
        grad_fn = read(lambda: t.grad_fn)
        obs = TensorObs(
            value=read(to_numpy, t),
            dtype=read(lambda: dtype_name(t.dtype)),
            shape=read(lambda: tuple(t.shape)),
            requires_grad=read(lambda: bool(t.requires_grad)),
            is_leaf=read(lambda: bool(t.is_leaf)),
            grad_fn=None if grad_fn is None else read(lambda: type(grad_fn).__name__))
    if leaf_index is not None and grad_fn is not None and not isinstance(grad_fn, Raised):
        obs.graph = read(graph_of, grad_fn, leaf_index)
    return obs


def graph_of(node, leaf_index: dict) -> tuple:
    """The next_functions tree below ``node``: ``(child, output_nr)`` per edge, where a child is
    ``None``, ``("AccumulateGrad", "x1")`` (which input leaf it accumulates into), or
    ``(name, edges)``; cut at ``GRAPH_DEPTH`` levels / ``GRAPH_NODES`` nodes."""
    budget = [GRAPH_NODES]

    def child(n, depth):
        if n is None:
            return None
        name = type(n).__name__
        if name == "AccumulateGrad":
            variable = getattr(n, "variable", None)
            return (name, leaf_index.get(id(variable), "a tensor that is not an input"))
        budget[0] -= 1
        if depth >= GRAPH_DEPTH or budget[0] <= 0:
            return (name, "...")
        return (name, edges(n, depth + 1))

    def edges(n, depth):
        return tuple((child(c, depth), int(nr)) for c, nr in n.next_functions)
    return edges(node, 1)


def graph_nodes(lib, outputs: list) -> list:
    """The nodes below the outputs (AccumulateGrad and None left out), each once, depth first in
    next_functions order (the same order in both libraries when their graphs agree); at most GRAPH_NODES."""
    stack = [o.grad_fn for o in reversed(outputs) if is_tensor(lib, o) and o.grad_fn is not None]
    found: list = []
    seen: set = set()
    while stack and len(found) < GRAPH_NODES:
        node = stack.pop()
        if node is None or id(node) in seen or type(node).__name__ == "AccumulateGrad":
            continue
        seen.add(id(node))
        found.append(node)
        stack.extend(child for child, _ in reversed(tuple(node.next_functions)))
    return found


def saved_state(lib, node, attr: str) -> str:
    """How a node shows one saved value: a tensor (or tensors), something else, or freed (the exception)."""
    try:
        value = getattr(node, attr)
    except Exception as exc:  # torch raises once backward freed the value
        return f"raises {type(exc).__name__}"
    if is_tensor(lib, value) or (isinstance(value, (tuple, list)) and any(is_tensor(lib, v) for v in value)):
        return "a tensor"
    return "not a tensor"   # (None too: the libraries keep attributes such as alpha differently)


def saved_states(lib, nodes: list) -> list:
    """(node name, {attr: state}) for every ``_saved_*`` attribute of every node (``saved_state``)."""
    return [(type(n).__name__, {a: saved_state(lib, n, a) for a in dir(n) if a.startswith("_saved_")})
            for n in nodes]


def _buffer_key(lib_name: str, t):
    """The byte range [start, end) of the memory a tensor's values live in: its whole storage (torch) or its
    base array (NumPy), so a view and what it was cut from overlap (None for empty tensors)."""
    if lib_name == "torch":
        if t.numel() == 0:
            return None
        storage = t.untyped_storage()
        return storage.data_ptr(), storage.data_ptr() + storage.nbytes()
    data = getattr(t, "_data", None)
    if not isinstance(data, np.ndarray) or data.size == 0:
        return None
    while isinstance(data.base, np.ndarray):
        data = data.base
    start = data.__array_interface__["data"][0]
    return start, start + data.nbytes


def alias_pairs(lib_name: str, labelled: list) -> set:
    """Pairs of labels whose tensors share memory (views, stolen or reused gradients): their ranges overlap."""
    keys = []
    for label, t in labelled:
        key = read(_buffer_key, lib_name, t)
        if key is not None and not isinstance(key, Raised):
            keys.append((label, key))
    return {(a, b) for i, (a, ka) in enumerate(keys) for b, kb in keys[i + 1:] if ka[0] < kb[1] and kb[0] < ka[1]}


# ----- upstream gradients ---------------------------------------------------------------------

def random_grad(lib, seed: int, slot: int, shape: tuple, dtype):
    """A random gradient of ``shape``: nonzero multiples of 1/8 in [-2, 2], never constant by design,
    exact in every float dtype; the same (seed, slot, shape) give the same values in both libraries."""
    return lib.tensor(_grad_values(seed, slot, tuple(int(n) for n in shape)).copy(), dtype=dtype)


@functools.lru_cache(maxsize=256)
def _grad_values(seed: int, slot: int, shape: tuple) -> np.ndarray:
    """The values behind ``random_grad``, made once for both libraries (a NumPy generator costs more to
    seed than the whole op it feeds); callers copy them."""
    rng = np.random.default_rng([seed, slot])
    return rng.integers(1, 17, size=shape) / 8.0 * rng.choice([-1.0, 1.0], size=shape)


def _differentiable(lib, outputs: list) -> list:
    """(index, tensor) of outputs a gradient can flow from: floating tensors that require grad."""
    found = []
    for i, out in enumerate(outputs):
        if is_tensor(lib, out) and read(lambda out=out: out.requires_grad is True and out.is_floating_point()) is True:
            found.append((i, out))
    return found


def _flatten(lib, result) -> tuple[Any, list]:
    if is_tensor(lib, result):
        return ("tensor",), [result]
    if isinstance(result, (tuple, list)):
        return ("sequence", type(result).__name__, len(result)), list(result)
    return ("scalar", type(result).__name__), [result]


def _output_obs(lib, outputs: list, leaf_index: dict | None) -> list:
    return [tensor_obs(lib, o, leaf_index) if is_tensor(lib, o) else ("scalar", o) for o in outputs]


# ----- one library, one example --------------------------------------------------------------

def observe(record: Record, form: str, lib_name: str, example: Example, seed: int,
            bad_calls: bool = True) -> Observation:
    """Run ``example`` through ``record``'s ``form`` in one library and observe every stage."""
    lib = library(lib_name)
    obs = Observation(lib_name, layouts=choose_layouts(example, seed))
    # The library under test runs under the strictest NumPy error state a user may set: an op that lets
    # NumPy's floating-point events through (torch computes inf/nan silently) raises FloatingPointError
    # here, which the errors check reports, whatever values the example draws.
    strict: Any = "raise" if lib_name == "mygrad" else "ignore"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all=strict):
            _observe_first_order(record, form, lib, example, seed, obs)
            if "forward" not in obs.errors:
                if record.grad and record.second_order:
                    _observe_second_order(record, form, lib, example, seed, obs)
                _observe_no_grad(record, form, lib, example, obs)
                from .transforms import observe_transforms  # (it builds on this module)
                observe_transforms(record, form, lib, example, seed, obs)
            if bad_calls:   # (the error_inputs check is run)
                _observe_error_inputs(record, form, lib, example, seed, obs)
    return obs


# What torch returns for a size list with a negative size beside a 0 (``zeros(1, 0).expand(-8, 0)``, shape
# [-8, 0]): a tensor no array can hold (its own ``numpy()`` refuses it), so that bad call is not compared.
NEGATIVE_SIZE = "a tensor of negative size"


def _observe_error_inputs(record, form, lib, example, seed, obs: Observation) -> None:
    """The corrupted calls ``error_inputs.chosen`` derives from the example, forward only, each on fresh
    inputs: what each raised, or what it returned."""
    for call in chosen(record, form, example, seed):
        obs.bad_calls[call.label] = call.example
        # a tensor operator meeting a NumPy array defers to NumPy's ufunc (torch's tensors as mygrad's, and
        # torch's own Python, e.g. gaussian_nll_loss's ``input - target``): its floating-point events are
        # NumPy's, so a call given an array runs as it would in torch, without the strict error state
        meets_numpy = any(isinstance(a, NumpyValue) for a in (*call.example.args, *call.example.kwargs.values()))
        try:
            with np.errstate(all="ignore") if meets_numpy else contextlib.nullcontext():
                args, kwargs, _ = build(lib, call.example)
                result, _ = invoke(record, form, lib, args, kwargs)
        except Exception as exc:
            obs.error_inputs.append((call.label, Raised.of(exc)))
            continue
        structure, outputs = _flatten(lib, result)
        if any(is_tensor(lib, o) and any(n < 0 for n in o.shape) for o in outputs):
            obs.error_inputs.append((call.label, NEGATIVE_SIZE))
            continue
        obs.error_inputs.append((call.label, ("returned", structure, read(_output_obs, lib, outputs, None))))


def _observe_first_order(record, form, lib, example, seed, obs: Observation) -> None:
    args, kwargs, leaves = build(lib, example, obs.layouts)
    names = leaf_names(example)
    leaf_index = {id(t): name for t, name in zip(leaves, names)}
    obs.numel = max([int(np.size(a.array)) for a in tensor_args(example)] + [1])
    obs.inputs_before = [np.asarray(a.array) for a in tensor_args(example)]
    try:
        result, target = invoke(record, form, lib, args, kwargs)
    except HarnessError:
        raise
    except Exception as exc:
        obs.errors["forward"] = Raised.of(exc)
        obs.inputs_after = [read(to_numpy, t) for t in leaves]
        return
    obs.structure, outputs = _flatten(lib, result)
    if target is not None:
        obs.returns_self = result is target
    obs.outputs = _output_obs(lib, outputs, leaf_index)
    obs.numel = max([obs.numel] + [int(np.size(o.value)) for o in obs.outputs
                                    if isinstance(o, TensorObs) and isinstance(o.value, np.ndarray)])

    upstream = []
    if record.grad:
        diff = _differentiable(lib, outputs)
        if diff:
            nodes = read(graph_nodes, lib, outputs)
            before = [] if isinstance(nodes, Raised) else read(saved_states, lib, nodes)
            try:
                upstream = [(i, random_grad(lib, seed, i, out.shape, out.dtype)) for i, out in diff]
                obs.upstream = [(i, to_numpy(g)) for i, g in upstream]
                lib.autograd.backward([out for _, out in diff], [g for _, g in upstream])
            except Exception as exc:
                obs.errors["backward"] = Raised.of(exc)
            else:  # what each node's saved values look like before backward and after it freed them
                after = [] if isinstance(nodes, Raised) else read(saved_states, lib, nodes)
                if not isinstance(before, Raised) and not isinstance(after, Raised):
                    obs.saved = [(name, {a: (state, after_states[a]) for a, state in states.items()})
                                 for (name, states), (_, after_states) in zip(before, after)]
    grads = [read(lambda t=t: t.grad) for t in leaves]
    obs.grads = [g if g is None or isinstance(g, Raised) else
                 tensor_obs(lib, g) if is_tensor(lib, g) else Raised("TypeError", f"a {type(g).__name__}, not a tensor")
                 for g in grads]
    obs.inputs_after = [read(to_numpy, t) for t in leaves]
    obs.upstream_changed = [i for (i, before), (_, g) in zip(obs.upstream, upstream)
                            if not _same(before, read(to_numpy, g))]
    labelled = [(f"grad of {n}", g) for n, g in zip(names, grads) if is_tensor(lib, g)]
    labelled += [(f"upstream gradient of output {i}", g) for i, g in upstream]
    labelled += [(n, t) for n, t in zip(names, leaves)]
    labelled += [(f"output {i}", o) for i, o in enumerate(outputs) if is_tensor(lib, o)]
    obs.aliases = alias_pairs(lib.__name__, labelled)


def _observe_second_order(record, form, lib, example, seed, obs: Observation) -> None:
    """d/dx of sum(dL/dx * v) for random v, through create_graph=True (a fresh forward)."""
    args, kwargs, leaves = build(lib, example, obs.layouts)
    wrt = [t for t in leaves if t.requires_grad]
    if not wrt:
        return
    try:
        result, _ = invoke(record, form, lib, args, kwargs)
        diff = _differentiable(lib, _flatten(lib, result)[1])
        if not diff:
            return
        upstream = [random_grad(lib, seed, i, out.shape, out.dtype) for i, out in diff]
        first = lib.autograd.grad([out for _, out in diff], wrt, upstream, create_graph=True, allow_unused=True)
        obs.first = [None if g is None else tensor_obs(lib, g) for g in first]
        weights = [random_grad(lib, seed, 1000 + k, g.shape, g.dtype) if g is not None and g.requires_grad else None
                   for k, g in enumerate(first)]
        obs.weights = [None if w is None else to_numpy(w) for w in weights]
        terms = [(g * w).sum() for g, w in zip(first, weights) if w is not None]
        if not terms:
            return
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        second = lib.autograd.grad(total, wrt, allow_unused=True)
        obs.second = [None if g is None else tensor_obs(lib, g) for g in second]
    except Exception as exc:
        obs.errors["double"] = Raised.of(exc)


def _observe_no_grad(record, form, lib, example, obs: Observation) -> None:
    args, kwargs, _ = build(lib, example, obs.layouts)
    try:
        with lib.no_grad():
            result, _ = invoke(record, form, lib, args, kwargs)
    except Exception as exc:
        obs.errors["no_grad"] = Raised.of(exc)
        return
    obs.no_grad = _output_obs(lib, _flatten(lib, result)[1], None)


def _same(a, b) -> bool:
    if isinstance(a, Raised) or isinstance(b, Raised):
        return False
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
