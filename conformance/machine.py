"""The behaviour suite: what torch's engine makes observable, as a Hypothesis state machine.

Two worlds, torch and mygrad, run the same random program one step at a time: new leaves, ops
(elementwise, with Python scalars, reductions, views, comparisons), ``retain_grad``, hooks (tensor
hooks on leaves and non-leaves, node pre- and post-hooks, hooks that replace the gradient),
``backward`` with and without ``retain_graph``, with an explicit gradient and with
``create_graph=True`` followed by a second backward, ``autograd.grad`` with ``allow_unused`` and
``materialize_grads`` and with a grad_output (which results are one tensor or share memory, with it
and among themselves, as in torch), ``grad.zero_()``, ``grad = None``, ``detach``, ``requires_grad_``
(also on views of tensors that did not require grad, after in-place edits), in-place updates (under
``no_grad`` and not), diamonds (two non-leaf tensors of one ancestor combined, then backward),
``retain_grad`` then repeated backward, and nested ``no_grad`` / ``enable_grad`` /
``set_grad_enabled`` blocks.

After every step every paired tensor must agree: value and dtype, grad (presence, value,
``requires_grad``, and whether it is still the same object, since torch accumulates in place),
requires_grad, is_leaf, grad_fn name; the hooks called during the step must be the same calls in the
same order with the same gradients (the order in which the engine runs ready nodes shows only here);
and a step raises in both worlds (the same class) or in neither.

Rules pick their tensors among those a step can succeed on (a backward from a tensor that requires
grad, an explicit gradient for a non-scalar, ``zero_`` of a grad that exists), so programs explore
rather than error; one ``misuse`` rule keeps torch's errors checked.  The mix (steps that succeeded
and raised, backward calls, distinct graph shapes) is measured and printed under the report's matrix.

Every step is also written down as a line of torch code, so a mismatch is reported as a
standalone program (shrunk by Hypothesis) that runs with ``import torch`` or ``import mygrad as torch``.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, seed as hypothesis_seed, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, get_state_machine_test, initialize, invariant, precondition, rule

from .checks import BEHAVIOUR, compare_values, describe, raise_diff, tolerance
from .paired import LIBRARIES, Raised, library, read, to_numpy
from .report import tensor_literal
from .runner import CaseResult, Failure, Found, case_seed, no_local_constants, survey_then_shrink

ROW = "behaviour"
CHECKS = BEHAVIOUR   # the checks marked ``behaviour=True`` in checks.ALL
SHAPES = [(), (3,), (2, 3)]
MAX_MODE_DEPTH = 3
PICK = st.integers(0, 2 ** 16)   # which tensor among those a rule can use (0, the simplest, is the newest)
GRAPH_NODES = 200                # nodes walked at most when measuring a graph's shape

# ops a step may apply: (code template, function of the library and the operand)
UNARY = [
    ("-{a}", lambda lib, a: -a),
    ("{a}.exp()", lambda lib, a: a.exp()),
    ("{a}.sum()", lambda lib, a: a.sum()),
    ("{a}.mean()", lambda lib, a: a.mean()),
    ("{a}.sum(0)", lambda lib, a: a.sum(0)),
    ("{a}.sum(-1, keepdim=True)", lambda lib, a: a.sum(-1, keepdim=True)),
    ("{a}.clamp(-0.5, 0.5)", lambda lib, a: a.clamp(-0.5, 0.5)),
    ("{a}.clone()", lambda lib, a: a.clone()),
    ("{a}.pow(2)", lambda lib, a: a.pow(2)),
    ("{a}.tanh()", lambda lib, a: a.tanh()),
] + [  # views (non-contiguous ones among them): their bases, versions and regenerated histories
    ("{a}.reshape(-1)", lambda lib, a: a.reshape(-1)),
    ("{a}.unsqueeze(0)", lambda lib, a: a.unsqueeze(0)),
    ("{a}.t()", lambda lib, a: a.t()),
    ("{a}.transpose(0, -1)", lambda lib, a: a.transpose(0, -1)),
    ("{a}[..., ::2]", lambda lib, a: a[..., ::2]),
    ("{a}[1:]", lambda lib, a: a[1:]),
]
VIEWS = [op for op in UNARY if op[0] in ("{a}.reshape(-1)", "{a}.unsqueeze(0)", "{a}.t()", "{a}.transpose(0, -1)",
                                         "{a}[..., ::2]", "{a}[1:]")]
TWO = [  # two non-leaf tensors of one ancestor (the two sides of a diamond)
    ("{a} * 2", lambda lib, a: a * 2), ("{a}.exp()", lambda lib, a: a.exp()), ("{a}.sum()", lambda lib, a: a.sum()),
    ("{a}.pow(2)", lambda lib, a: a.pow(2)), ("{a}.unsqueeze(0)", lambda lib, a: a.unsqueeze(0)),
    ("{a}.tanh()", lambda lib, a: a.tanh()),
]
BINARY = [("{a} + {b}", lambda a, b: a + b), ("{a} - {b}", lambda a, b: a - b), ("{a} * {b}", lambda a, b: a * b)]
WITH_SCALAR = [
    ("{a} * {s}", lambda a, s: a * s), ("{s} * {a}", lambda a, s: s * a), ("{a} + {s}", lambda a, s: a + s),
    ("{s} - {a}", lambda a, s: s - a), ("{a} / {s}", lambda a, s: a / s),
]
# two computed values compare after rounding: tanh, exp... may differ in the last bit between the libraries,
# which a tie would turn into a different bool (the values themselves are compared within tolerance)
COMPARE = [("{a}.round() > {b}.round()", lambda a, b: a.round() > b.round()),
           ("{a}.round() == {b}.round()", lambda a, b: a.round() == b.round()),
           ("{a}.round().le({b}.round())", lambda a, b: a.round().le(b.round())),
           ("{a} < 0.5", lambda a, b: a < 0.5), ("{a}.round().ne({b}.round())", lambda a, b: a.round().ne(b.round()))]
INPLACE = [("mul_(0.5)", lambda a: a.mul_(0.5)), ("add_(0.25)", lambda a: a.add_(0.25)),
           ("zero_()", lambda a: a.zero_()), ("exp_()", lambda a: a.exp_())]   # (exp_ saves its result)
MODES = {
    "no_grad()": lambda lib: lib.no_grad(),
    "enable_grad()": lambda lib: lib.enable_grad(),
    "set_grad_enabled(False)": lambda lib: lib.set_grad_enabled(False),
    "set_grad_enabled(True)": lambda lib: lib.set_grad_enabled(True),
    "inference_mode()": lambda lib: lib.inference_mode(),
    "autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t + 0)":
        lambda lib: lib.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t + 0),
    "autograd.graph.save_on_cpu()": lambda lib: lib.autograd.graph.save_on_cpu(),
}
MISUSE = ("backward of a tensor that does not require grad", "implicit gradient of a non-scalar",
          "retain_grad of a tensor that does not require grad", "requires_grad_(False) of a non-leaf",
          "grad.zero_() where there is no grad", "in-place on a leaf that requires grad",
          "second backward through a freed graph", "hook on a tensor that does not require grad",
          "requires_grad_ on a bool tensor", "a hook that raises during backward")
PRELUDE = ["import torch  # or: import mygrad as torch", "",
           "calls = []  # what the hooks saw: (hook, gradients), in the order the engine called them",
           "seen = lambda gs: [None if g is None else g.tolist() for g in gs]", ""]


def values_for(shape: tuple, seed: int) -> np.ndarray:
    """Leaf values: multiples of 1/8 in [-2, 2] (exact, readable, with zeros and clamp bounds now and then)."""
    rng = np.random.default_rng(seed)
    return rng.integers(-16, 17, size=shape).astype(np.float64) / 8.0


class Mismatch(Found):
    """The check under study failed: carries the program that shows it."""

    def __init__(self, check: str, diff: str, program: str):
        super().__init__((diff, program))
        self.check, self.diff, self.program = check, diff, program


class Pair:
    """One tensor of the program, as it exists in each world."""

    __slots__ = ("name", "sides", "grads", "versioned")

    def __init__(self, name: str, sides: dict, versioned: bool = True):
        self.name, self.sides = name, sides
        # (a gradient autograd.grad returns has the version torch's input buffers gave it: in-place sums
        # that mygrad does out of place, so its _version is not compared)
        self.versioned = versioned
        self.grads = {lib: None for lib in sides}   # the .grad objects seen after the last step (kept alive,
                                                    # so that identity is compared, never a reused id())

    def __repr__(self) -> str:
        return self.name

    @property
    def t(self):
        return self.sides["torch"]


# what a rule may pick, judged on the torch side (the oracle): whether the step can succeed there.
# (torch's own reads can raise: the grad_fn of a view made under no_grad and edited since.)
def _judged(predicate):
    def judge(p: Pair) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return bool(predicate(p.t))
        except Exception:
            return False
    judge.__name__ = predicate.__name__
    return judge


_floating = _judged(lambda t: t.dtype.is_floating_point)
_requires_grad = _judged(lambda t: t.requires_grad)
_has_history = _judged(lambda t: t.grad_fn is not None)
_has_grad = _judged(lambda t: t.grad is not None)
_is_leaf = _judged(lambda t: t.is_leaf)
# an in-place op in grad mode is refused on a leaf that requires grad and on a view of a leaf
_editable = _judged(lambda t: t.dtype.is_floating_point and not (
    t.requires_grad and (t.is_leaf or (t._base is not None and t._base.is_leaf))))


def graph_shape(root) -> tuple:
    """The structure below a node: node names and edges, numbered in the order first reached."""
    if root is None:
        return ()
    order: list = []
    index: dict = {}
    stack = [root]
    while stack and len(order) < GRAPH_NODES:
        node = stack.pop()
        if id(node) in index:
            continue
        index[id(node)] = len(order)
        order.append(node)
        stack.extend(n for n, _ in reversed(node.next_functions) if n is not None)
    return tuple((type(n).__name__, tuple(index.get(id(c), -1) if c is not None else None
                                          for c, _ in n.next_functions)) for n in order)


@dataclass
class MachineResult(CaseResult):
    """The behaviour row's result, with the program mix the report prints under the matrix."""
    stats: dict = field(default_factory=dict)


def _new_stats() -> dict:
    return {"programs": 0, "steps": 0, "raised": 0, "backward": 0, "backward_raised": 0, "hook_calls": 0,
            "shapes": set()}


class PairedWorlds(RuleBasedStateMachine):
    """Set by ``run_machine`` on a subclass: ``tally`` (check -> [passed, failed]), ``target`` (the check
    to raise on, or None to only count), ``first`` (check -> (diff, program) of the first failure),
    ``stats`` (the mix of steps, see ``_new_stats``)."""

    tally: dict = {}
    target: str | None = None
    first: dict = {}
    runs: list = [0]
    stats: dict = _new_stats()

    def __init__(self):
        super().__init__()
        self.libs = {name: library(name) for name in LIBRARIES}
        self.pairs: list[Pair] = []
        self.lines = list(PRELUDE)
        self.modes: list = []
        self.diverged = False
        self.count = 0
        self.calls = {name: [] for name in LIBRARIES}   # hook calls of the current step, per world
        self.hooks = 0
        self.world = LIBRARIES[0]   # the world a step is running in
        type(self).runs[0] += 1
        self.stats["programs"] += 1

    # ----- the mechanics of a step ------------------------------------------------------------------
    def _emit(self, line: str) -> None:
        self.lines.append("    " * len(self.modes) + line)
        if self.modes:
            self.modes[-1][2] = True

    def program(self) -> str:
        return "\n".join(self.lines) + "\n"

    def _mismatch(self, check: str, diff: str, diverge: bool = True) -> None:
        if self.diverged:
            return
        self.tally[check][1] += 1
        self.lines.append("    " * len(self.modes) + f"# ^ {check} differs here: {diff}")
        self.first.setdefault(check, (diff, self.program()))
        if self.target == check:
            raise Mismatch(check, diff, self.program())
        # the worlds no longer hold the same state: stop comparing this run
        self.diverged = diverge

    def _passed(self, check: str) -> None:
        if not self.diverged:
            self.tally[check][0] += 1

    def _choose(self, pick: int, *wanted):
        """The tensor a rule works on: among those meeting every predicate in ``wanted`` (None if none does)."""
        found = [p for p in self.pairs if all(w(p) for w in wanted)]
        return found[-1 - pick % len(found)] if found else None

    def _step(self, code: str, action, *pairs, pure: bool = False, backward: bool = False):
        """Run ``action(lib, *tensors)`` in both worlds; the two results, or None if either raised.

        ``pure``: the step only makes a new tensor, so when one world raises and the other does not,
        the worlds still agree on everything else and the run goes on (the error is still reported).
        ``backward``: the step runs the engine (counted in the mix).
        """
        outcome: dict[str, tuple[Any, Any]] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, lib in self.libs.items():
                self.world = name   # (hooks are registered per world: both may be one module, --library torch)
                try:
                    outcome[name] = (None, action(lib, *[p.sides[name] for p in pairs]))
                except Exception as exc:
                    outcome[name] = (Raised.of(exc), None)
        te, me = outcome["torch"][0], outcome["mygrad"][0]
        differs = raise_diff(te, me)
        stats = self.stats
        stats["steps"] += 1
        stats["raised"] += te is not None
        if backward:
            stats["backward"] += 1
            stats["backward_raised"] += te is not None
        if te is None and me is None:
            self._emit(code)
        else:
            # the program keeps the step, and still runs to the end in either library
            self._emit("try:")
            self._emit(f"    {code}")
            if differs:
                self._emit(f"except Exception as error:  # torch: {te or 'no error'}; mygrad: {me or 'no error'}")
                self._emit("    print('raised', type(error).__name__, error)")
            else:
                self._emit(f"except {te.cls}:  # torch: {te}; mygrad: {me}")
                self._emit("    pass")
        if differs:
            self._mismatch("errors", f"`{code}`: {differs}", diverge=not pure)
            return None
        self._passed("errors")
        if te is not None:
            for log in self.calls.values():  # how far a failing backward got is not compared
                log.clear()
            return None
        return outcome["torch"][1], outcome["mygrad"][1]

    def _new(self, code_for, action, *pairs, backward: bool = False):
        """A step that makes a new tensor: the new pair (None if the step raised)."""
        if self.diverged:
            return None
        name = f"t{self.count}"
        result = self._step(code_for(name), action, *pairs, pure=True, backward=backward)
        if result is None:
            return None
        self.count += 1
        pair = Pair(name, dict(zip(self.libs, result)), versioned=all(p.versioned for p in pairs))  # (views share it)
        self.pairs.append(pair)
        return pair

    def _do(self, code: str, action, *pairs, backward: bool = False) -> bool:
        """A step; whether it ran without raising."""
        if self.diverged:
            return False
        return self._step(code, action, *pairs, backward=backward) is not None

    def _backward(self, code: str, action, *pairs) -> bool:
        """A step that runs the engine from ``pairs[0]``: its graph's shape joins the mix."""
        if self.diverged:
            return False
        if pairs:
            self.stats["shapes"].add(read(lambda: graph_shape(pairs[0].t.grad_fn)) if _has_history(pairs[0]) else ())
        return self._do(code, action, *pairs, backward=True)

    def _logger(self, world: str, label: str, returns: str | None):
        """A hook for one world: notes the call and its gradients; ``returns`` 'double' gives back 2 * grad."""
        log = self.calls[world]

        def hook(*args):
            grads = [g for a in args for g in (a if isinstance(a, tuple) else (a,))]
            log.append((label, [None if g is None else read(to_numpy, g) for g in grads]))
            if returns == "double":
                return args[0] * 2
            return None
        return hook

    # ----- rules: tensors ----------------------------------------------------------------------------
    @initialize(shape=st.sampled_from(SHAPES), seed=st.integers(0, 2 ** 16))
    def first_leaf(self, shape, seed):
        """Every program starts from a leaf that requires grad, so that gradient steps have work to do."""
        self.new_leaf(shape, seed, True)

    @rule(shape=st.sampled_from(SHAPES), seed=st.integers(0, 2 ** 16), requires_grad=st.booleans())
    def new_leaf(self, shape, seed, requires_grad):
        values = values_for(shape, seed)
        self._new(lambda n: f"{n} = {tensor_literal(values, requires_grad)}",
                  lambda lib: lib.tensor(values.copy(), dtype=lib.float64, requires_grad=requires_grad))

    @rule(pick=PICK, op=st.sampled_from(UNARY))
    def unary(self, pick, op):
        a = self._choose(pick, _floating)
        code, fn = op
        self._new(lambda n: f"{n} = {code.format(a=a.name)}", fn, a)

    @rule(pick=PICK, other=PICK, op=st.sampled_from(BINARY))
    def binary(self, pick, other, op):
        a, b = self._choose(pick, _floating), self._choose(other, _floating)
        code, fn = op
        self._new(lambda n: f"{n} = {code.format(a=a.name, b=b.name)}", lambda lib, x, y: fn(x, y), a, b)

    @rule(pick=PICK, op=st.sampled_from(WITH_SCALAR), s=st.sampled_from([0.5, 2.0, -1.5, 3]))
    def with_scalar(self, pick, op, s):
        a = self._choose(pick, _floating)
        code, fn = op
        self._new(lambda n: f"{n} = {code.format(a=a.name, s=s)}", lambda lib, x: fn(x, s), a)

    @rule(pick=PICK, other=PICK, op=st.sampled_from(COMPARE))
    def compare(self, pick, other, op):
        """A comparison: a bool tensor that never requires grad (torch makes it non-differentiable)."""
        a, b = self._choose(pick, _floating), self._choose(other, _floating)
        code, fn = op
        self._new(lambda n: f"{n} = {code.format(a=a.name, b=b.name)}", lambda lib, x, y: fn(x, y), a, b)

    @rule(mask=PICK, pick=PICK, other=PICK)
    def where(self, mask, pick, other):
        m = self._choose(mask, lambda p: not _floating(p))
        if m is None:
            return None
        a, b = self._choose(pick, _floating), self._choose(other, _floating)
        self._new(lambda n: f"{n} = torch.where({m.name}, {a.name}, {b.name})",
                  lambda lib, c, x, y: lib.where(c, x, y), m, a, b)

    @rule(pick=PICK)
    def detach(self, pick):
        a = self._choose(pick)
        self._new(lambda n: f"{n} = {a.name}.detach()", lambda lib, x: x.detach(), a)

    # ----- rules: autograd state and hooks -----------------------------------------------------------
    @rule(pick=PICK)
    def retain_grad(self, pick):
        a = self._choose(pick, _requires_grad)
        if a is not None:
            self._do(f"{a.name}.retain_grad()", lambda lib, x: x.retain_grad(), a)

    @rule(pick=PICK, returns=st.sampled_from([None, None, "double"]))
    def tensor_hook(self, pick, returns):
        """A hook on a leaf or a non-leaf: each call is noted (and compared), some give back 2 * grad."""
        a = self._choose(pick, _requires_grad)
        if a is not None:
            self._hook(a, "hook", returns)

    @rule(pick=PICK, kind=st.sampled_from(["pre", "post"]))
    def node_hook(self, pick, kind):
        """A hook on a tensor's grad_fn: ``register_prehook`` (gradients in) or ``register_hook`` (in and out)."""
        a = self._choose(pick, _has_history)
        if a is not None:
            self._hook(a, kind, None)

    @rule(pick=PICK)
    def post_accumulate_hook(self, pick):
        """``register_post_accumulate_grad_hook`` on a leaf: called with the leaf once its .grad is updated."""
        a = self._choose(pick, _requires_grad, _is_leaf)
        if a is not None:
            self._hook(a, "post_accumulate", None)

    def _hook(self, a: Pair, kind: str, returns) -> bool:
        label = f"{a.name} {kind} {self.hooks}"
        self.hooks += 1
        hooks = {}
        for world in LIBRARIES:
            hooks[world] = self._logger(world, label, returns)
        if kind == "post_accumulate":
            for world in LIBRARIES:
                hooks[world] = (lambda log: lambda t: log(t.grad))(hooks[world])
            code = f"{a.name}.register_post_accumulate_grad_hook(lambda t: calls.append(({label!r}, seen([t.grad]))))"
            register = lambda lib, x: x.register_post_accumulate_grad_hook(hooks[self.world])
        elif kind == "hook":
            gives = " or g * 2" if returns == "double" else ""
            code = f"{a.name}.register_hook(lambda g: calls.append(({label!r}, seen([g]))){gives})"
            register = lambda lib, x: x.register_hook(hooks[self.world])
        elif kind == "pre":
            code = f"{a.name}.grad_fn.register_prehook(lambda go: calls.append(({label!r}, seen(go))))"
            register = lambda lib, x: x.grad_fn.register_prehook(hooks[self.world])
        else:
            code = f"{a.name}.grad_fn.register_hook(lambda gi, go: calls.append(({label!r}, seen(gi + go))))"
            register = lambda lib, x: x.grad_fn.register_hook(hooks[self.world])
        return self._do(code, register, a)

    @rule(pick=PICK, retain=st.sampled_from([True, True, True, False]), explicit=st.booleans(),
          seed=st.integers(0, 2 ** 16))
    def backward(self, pick, retain, explicit, seed):
        """``a.backward(...)`` from a tensor that requires grad; a non-scalar always gets its gradient."""
        a = self._choose(pick, _requires_grad)
        if a is None:
            return
        shape = tuple(a.t.shape)
        explicit = explicit or a.t.numel() != 1
        gradient = values_for(shape, seed) if explicit else None
        given = f"{tensor_literal(gradient)}, " if explicit else ""

        def run(lib, x):
            g = None if gradient is None else lib.tensor(gradient.copy(), dtype=x.dtype)
            x.backward(g, retain_graph=retain)
        self._backward(f"{a.name}.backward({given}retain_graph={retain})", run, a)

    @rule(pick=PICK, retain=st.sampled_from([True, True, True, False]))
    def sum_backward(self, pick, retain):
        """``a.sum().backward()``: works from any tensor that requires grad, so accumulation gets exercised."""
        a = self._choose(pick, _requires_grad)
        if a is not None:
            self._backward(f"{a.name}.sum().backward(retain_graph={retain})",
                           lambda lib, x: x.sum().backward(retain_graph=retain), a)

    @rule(pick=PICK, first=PICK, second=PICK)
    def backward_inputs(self, pick, first, second):
        """``backward(inputs=[...])``: only those tensors accumulate (a non-leaf's grad is retained)."""
        y = self._choose(pick, _requires_grad)
        if y is None:
            return
        x1, x2 = self._choose(first, _requires_grad), self._choose(second, _requires_grad)
        self._backward(f"{y.name}.sum().backward(inputs=[{x1.name}, {x2.name}], retain_graph=True)",
                       lambda lib, a, b, c: a.sum().backward(inputs=[b, c], retain_graph=True), y, x1, x2)

    @rule(first=PICK, second=PICK, seed=st.integers(0, 2 ** 16))
    def several_roots(self, first, second, seed):
        """``autograd.backward([a, b], [ga, gb])``: gradients from two roots meet where the graphs join."""
        a, b = self._choose(first, _requires_grad), self._choose(second, _requires_grad)
        if a is None:
            return
        ga, gb = values_for(tuple(a.t.shape), seed), values_for(tuple(b.t.shape), seed + 1)

        def run(lib, x, y):
            lib.autograd.backward([x, y], [lib.tensor(ga.copy(), dtype=x.dtype), lib.tensor(gb.copy(), dtype=y.dtype)],
                                  retain_graph=True)
        self._backward(f"torch.autograd.backward([{a.name}, {b.name}], [{tensor_literal(ga)}, {tensor_literal(gb)}], "
                       f"retain_graph=True)", run, a, b)

    @rule(pick=PICK, kind=st.sampled_from(["same shape", "same shape", "other shape", "float32"]),
          seed=st.integers(0, 2 ** 16))
    def assign_grad(self, pick, kind, seed):
        """``x.grad = tensor``: accepted with the tensor's shape and dtype (later backwards add into it),
        refused otherwise."""
        a = self._choose(pick, _floating)
        shape = tuple(a.t.shape) if kind != "other shape" else tuple(a.t.shape) + (2,)
        values = values_for(shape, seed)
        dtype = "float32" if kind == "float32" else "float64"

        def run(lib, x):
            x.grad = lib.tensor(values.copy(), dtype=getattr(lib, dtype))
        self._do(f"{a.name}.grad = {tensor_literal(values)}.to(torch.{dtype})", run, a)

    @rule(pick=PICK)
    def zero_grad(self, pick):
        a = self._choose(pick, _has_grad)
        if a is not None:
            self._do(f"{a.name}.grad.zero_()", lambda lib, x: x.grad.zero_(), a)

    @rule(pick=PICK)
    def grad_to_none(self, pick):
        a = self._choose(pick, _has_grad)
        if a is None:
            return

        def run(lib, x):
            x.grad = None
        self._do(f"{a.name}.grad = None", run, a)

    @rule(pick=PICK, flag=st.sampled_from([True, True, False]))
    def requires_grad_(self, pick, flag):
        a = self._choose(pick, _floating, _is_leaf)
        if a is not None:
            self._do(f"{a.name}.requires_grad_({flag})", lambda lib, x: x.requires_grad_(flag), a)

    @rule(pick=PICK, op=st.sampled_from(INPLACE))
    def inplace_no_grad(self, pick, op):
        a = self._choose(pick, _floating)
        code, fn = op

        def run(lib, x):
            with lib.no_grad():
                fn(x)
        self._do(f"with torch.no_grad(): {a.name}.{code}", run, a)

    @rule(pick=PICK, op=st.sampled_from(INPLACE))
    def inplace(self, pick, op):
        a = self._choose(pick, _editable)
        if a is not None:
            code, fn = op
            self._do(f"{a.name}.{code}", lambda lib, x: fn(x), a)

    @rule(pick=PICK, what=st.sampled_from(MISUSE))
    def misuse(self, pick, what):
        """A step torch refuses: the same exception class must come from mygrad (one rule, so few steps)."""
        if what == MISUSE[0]:
            a = self._choose(pick, lambda p: not _requires_grad(p))
            if a is not None:
                self._backward(f"{a.name}.sum().backward()", lambda lib, x: x.sum().backward(), a)
        elif what == MISUSE[1]:
            a = self._choose(pick, _requires_grad, lambda p: p.t.numel() != 1)
            if a is not None:
                self._backward(f"{a.name}.backward()", lambda lib, x: x.backward(), a)
        elif what == MISUSE[2]:
            a = self._choose(pick, lambda p: not _requires_grad(p))
            if a is not None:
                self._do(f"{a.name}.retain_grad()", lambda lib, x: x.retain_grad(), a)
        elif what == MISUSE[3]:
            a = self._choose(pick, _has_history)
            if a is not None:
                self._do(f"{a.name}.requires_grad_(False)", lambda lib, x: x.requires_grad_(False), a)
        elif what == MISUSE[4]:
            a = self._choose(pick, lambda p: not _has_grad(p))
            if a is not None:
                self._do(f"{a.name}.grad.zero_()", lambda lib, x: x.grad.zero_(), a)
        elif what == MISUSE[5]:
            a = self._choose(pick, _requires_grad, _is_leaf)
            if a is not None:
                self._do(f"{a.name}.mul_(2)", lambda lib, x: x.mul_(2), a)
        elif what == MISUSE[6]:
            a = self._choose(pick, _requires_grad)
            if a is not None:
                y = self._new(lambda n: f"{n} = {a.name}.exp().sum()", lambda lib, x: x.exp().sum(), a)
                if y is not None and self._backward(f"{y.name}.backward()", lambda lib, x: x.backward(), y):
                    self._backward(f"{y.name}.backward()", lambda lib, x: x.backward(), y)
        elif what == MISUSE[7]:
            a = self._choose(pick, lambda p: not _requires_grad(p), _floating)
            if a is not None:
                self._hook(a, "hook", None)
        elif what == MISUSE[8]:
            a = self._choose(pick, lambda p: not _floating(p))
            if a is not None:
                self._do(f"{a.name}.requires_grad_()", lambda lib, x: x.requires_grad_(), a)
        else:  # registered, one backward that the hook stops (what was accumulated before stays), removed
            a = self._choose(pick, _requires_grad)
            if a is None:
                return
            handles = {}

            def fail(g):
                raise ValueError("hook failed")

            def register(lib, x):
                handles[self.world] = x.register_hook(fail)
            if self._do(f"handle = {a.name}.register_hook(lambda g: (_ for _ in ()).throw(ValueError('hook failed')))",
                        register, a):
                self._backward(f"{a.name}.sum().backward(retain_graph=True)",
                               lambda lib, x: x.sum().backward(retain_graph=True), a)
                self._do("handle.remove()", lambda lib: handles[self.world].remove())

    # ----- rules: programs of several steps that torch users write ---------------------------------------
    @rule(pick=PICK, left=st.sampled_from(TWO), right=st.sampled_from(TWO), combine=st.sampled_from(BINARY),
          hooks=st.booleans(), retain=st.booleans())
    def diamond(self, pick, left, right, combine, hooks, retain):
        """Two non-leaf tensors made from one tensor, combined, then backward: both branches must arrive,
        and the hooks on them run in torch's order."""
        a = self._choose(pick, _requires_grad)
        if a is None:
            return
        u = self._new(lambda n: f"{n} = {left[0].format(a=a.name)}", left[1], a)
        v = u and self._new(lambda n: f"{n} = {right[0].format(a=a.name)}", right[1], a)
        if v is None:
            return
        if hooks and not (self._hook(u, "hook", None) and self._hook(v, "hook", None)):
            return
        if retain and not self._do(f"{u.name}.retain_grad()", lambda lib, x: x.retain_grad(), u):
            return
        code, fn = combine
        w = self._new(lambda n: f"{n} = {code.format(a=u.name, b=v.name)}", lambda lib, x, y: fn(x, y), u, v)
        if w is not None:
            self._backward(f"{w.name}.sum().backward(retain_graph=True)",
                           lambda lib, x: x.sum().backward(retain_graph=True), w)

    @rule(shape=st.sampled_from(SHAPES[1:]), seed=st.integers(0, 2 ** 16), view=st.sampled_from(VIEWS),
          edit=st.sampled_from([None, "base, no_grad", "view", "view, no_grad"]),
          which=st.sampled_from(["view", "base", "view, then base"]))
    def view_then_requires_grad(self, shape, seed, view, edit, which):
        """A view (often non-contiguous) of a tensor that did not require grad, perhaps edited in place,
        then ``requires_grad_`` on the view or its base, then backward through the view."""
        values = values_for(shape, seed)
        b = self._new(lambda n: f"{n} = {tensor_literal(values)}",
                      lambda lib: lib.tensor(values.copy(), dtype=lib.float64))
        code, fn = view
        v = b and self._new(lambda n: f"{n} = {code.format(a=b.name)}", fn, b)
        if v is None:
            return
        if edit in ("base, no_grad", "view, no_grad"):
            target = b if edit == "base, no_grad" else v

            def run(lib, x):
                with lib.no_grad():
                    x.add_(0.25)
            self._do(f"with torch.no_grad(): {target.name}.add_(0.25)", run, target)
        elif edit == "view":
            self._do(f"{v.name}.mul_(0.5)", lambda lib, x: x.mul_(0.5), v)
        for target in ([v] if which == "view" else [b] if which == "base" else [v, b]):
            self._do(f"{target.name}.requires_grad_()", lambda lib, x: x.requires_grad_(), target)
        self._backward(f"({v.name} * 2).sum().backward(retain_graph=True)",
                       lambda lib, x: (x * 2).sum().backward(retain_graph=True), v)

    @rule(pick=PICK, op=st.sampled_from(TWO), times=st.integers(2, 3))
    def retain_then_repeat(self, pick, op, times):
        """``retain_grad`` on a non-leaf, then backward through the same graph several times: the
        retained .grad accumulates."""
        a = self._choose(pick, _requires_grad)
        if a is None:
            return
        u = self._new(lambda n: f"{n} = {op[0].format(a=a.name)}", op[1], a)
        if u is None or not self._do(f"{u.name}.retain_grad()", lambda lib, x: x.retain_grad(), u):
            return
        y = self._new(lambda n: f"{n} = ({u.name} * {u.name}).sum()", lambda lib, x: (x * x).sum(), u)
        for _ in range(times if y is not None else 0):
            if not self._backward(f"{y.name}.backward(retain_graph=True)",
                                  lambda lib, x: x.backward(retain_graph=True), y):
                break

    @rule(pick=PICK, via=st.sampled_from(["grad", "backward"]))
    def create_graph_twice(self, pick, via):
        """A backward with ``create_graph=True``, then a second backward through the gradient it made."""
        a = self._choose(pick, _requires_grad)
        if a is None:
            return
        if via == "grad":
            g = self._new(lambda n: f"{n}, = torch.autograd.grad(({a.name} * {a.name} * {a.name}).sum(), "
                                    f"{a.name}, create_graph=True)",
                          lambda lib, x: lib.autograd.grad((x * x * x).sum(), x, create_graph=True)[0], a,
                          backward=True)
            if g is not None:
                g.versioned = False
                self._backward(f"({g.name} * {g.name}).sum().backward(retain_graph=True)",
                               lambda lib, x: (x * x).sum().backward(retain_graph=True), g)
            return
        if not self._backward(f"({a.name} * {a.name}).sum().backward(create_graph=True)",
                              lambda lib, x: (x * x).sum().backward(create_graph=True), a):
            return
        leaves = [p for p in self.pairs if _is_leaf(p) and _judged(lambda t: t.grad.requires_grad)(p)]
        if leaves:
            leaf = leaves[-1 - pick % len(leaves)]
            self._backward(f"{leaf.name}.grad.sum().backward(retain_graph=True)",
                           lambda lib, x: x.grad.sum().backward(retain_graph=True), leaf)

    @rule(pick=PICK, first=PICK, second=PICK, allow_unused=st.sampled_from([True, False, None]),
          materialize=st.booleans(), given=st.booleans(), seed=st.integers(0, 2 ** 16))
    def autograd_grad(self, pick, first, second, allow_unused, materialize, given, seed):
        """``autograd.grad`` w.r.t. two tensors (one may be unused), of a sum or of a tensor with its
        grad_output: None-ness and values, and which results are one tensor or share memory (among
        themselves and with the grad_output: torch returns a gradient that passed through unchanged as
        the tensor it was given, and one a formula only viewed as a view of it)."""
        y = self._choose(pick, _requires_grad)
        if y is None:
            return
        x1, x2 = self._choose(first, _requires_grad), self._choose(second, _requires_grad)
        go = None
        if given:
            values = values_for(tuple(y.t.shape), seed)
            go = self._new(lambda n: f"{n} = {tensor_literal(values)}",
                           lambda lib: lib.tensor(values.copy(), dtype=lib.float64))
            if go is None:
                return
        args = f"allow_unused={allow_unused}, materialize_grads={materialize}"
        names = [f"t{self.count}", f"t{self.count + 1}"]
        self.stats["shapes"].add(read(lambda: graph_shape(y.t.grad_fn)) if _has_history(y) else ())
        root, grad_output = (f"{y.name}.sum()", "") if go is None else (y.name, f"{go.name}, ")
        code = f"torch.autograd.grad({root}, [{x1.name}, {x2.name}], {grad_output}"

        def action(lib, a, b, c, *given):
            return lib.autograd.grad(a if given else a.sum(), [b, c], given[0] if given else None,
                                     allow_unused=allow_unused, materialize_grads=materialize, retain_graph=True)
        result = self._step(f"{names[0]}, {names[1]} = {code}{args}, retain_graph=True)", action,
                            *(y, x1, x2) + ((go,) if go is not None else ()), backward=True)
        if result is None:
            return
        tg, mg = result
        nones = [g is None for g in tg], [g is None for g in mg]
        if nones[0] != nones[1]:
            return self._mismatch("grad", f"autograd.grad: which results are None: torch {nones[0]}, "
                                          f"mygrad {nones[1]}")
        ts, ms = (_sharing(list(r) + ([go.sides[lib]] if go is not None else []))
                  for r, lib in ((tg, "torch"), (mg, "mygrad")))
        if ts != ms:
            return self._mismatch("grad", f"autograd.grad: which of {names + ([go.name] if go else [])} are one "
                                          f"tensor / share memory: torch {ts}, mygrad {ms}")
        self._passed("grad")
        for name, a, b in zip(names, tg, mg):
            self.count += 1
            if a is not None:
                self.pairs.append(Pair(name, {"torch": a, "mygrad": b}, versioned=False))

    # ----- grad-mode blocks ------------------------------------------------------------------------
    @precondition(lambda self: len(self.modes) < MAX_MODE_DEPTH)
    @rule(mode=st.sampled_from(sorted(MODES)))
    def enter_mode(self, mode):
        if self.diverged:
            return
        contexts = {}
        for name, lib in self.libs.items():
            ctx = MODES[mode](lib)
            ctx.__enter__()
            contexts[name] = ctx
        self._emit(f"with torch.{mode}:")
        self.modes.append([mode, contexts, False])

    @precondition(lambda self: len(self.modes) > 0)
    @rule()
    def exit_mode(self):
        self._close_mode()

    def _close_mode(self) -> None:
        mode, contexts, used = self.modes.pop()
        for ctx in reversed(list(contexts.values())):   # last in, first out: both worlds may be one module
            ctx.__exit__(None, None, None)
        if not used:
            self.lines.append("    " * (len(self.modes) + 1) + "pass")

    def teardown(self):
        while self.modes:
            self._close_mode()

    # ----- after every step --------------------------------------------------------------------
    @invariant()
    def worlds_agree(self):
        if self.diverged:
            return
        self._compare_calls()
        if self.diverged or not self.pairs:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_mode = self.libs["torch"].is_grad_enabled()
            m_mode = read(self.libs["mygrad"].is_grad_enabled)
            if t_mode != m_mode:
                return self._mismatch("flags", f"is_grad_enabled(): torch {t_mode}, mygrad {m_mode}")
            problems = {check: [] for check in ("value", "grad", "flags", "grad_fn")}
            for pair in self.pairs:
                self._compare(pair, problems)
        for check, found in problems.items():
            if found:
                self._mismatch(check, "; ".join(found[:3]))
            else:
                self._passed(check)

    def _compare_calls(self) -> None:
        """The hooks the last step called: the same calls, in the same order, with the same gradients."""
        t, m = self.calls["torch"], self.calls["mygrad"]
        if not t and not m:
            return
        self.stats["hook_calls"] += len(t)
        found = []
        if [c[0] for c in t] != [c[0] for c in m]:
            found.append(f"hook calls in order: torch {[c[0] for c in t]}, mygrad {[c[0] for c in m]}")
        else:
            rtol, atol = tolerance("float64", 1)
            for (label, tg), (_, mg) in zip(t, m):
                if [g is None for g in tg] != [g is None for g in mg]:
                    found.append(f"hook {label!r} saw gradients torch {_nones(tg)}, mygrad {_nones(mg)}")
                    continue
                for i, (a, b) in enumerate(zip(tg, mg)):
                    if a is not None:
                        diff = compare_values(a, b, rtol, atol)
                        if diff:
                            found.append(describe(f"hook {label!r} gradient {i}", diff))
        t.clear()
        m.clear()
        if found:
            self._emit("print(calls)")
            self._mismatch("grad", "; ".join(found[:3]))
        else:
            self._passed("grad")
        self._emit("calls.clear()")

    def _compare(self, pair: Pair, problems: dict) -> None:
        """One tensor in both worlds: every read goes through ``read`` (torch's reads can raise too)."""
        t, m = pair.sides["torch"], pair.sides["mygrad"]
        rtol, atol = tolerance("float64", 1)
        found = _differ(read(to_numpy, t), read(to_numpy, m), rtol, atol)
        if found:
            problems["value"].append(describe(f"{pair.name}", found))
        td, md = read(lambda: str(t.dtype)), read(lambda: str(m.dtype))
        if td != md:
            problems["value"].append(f"{pair.name}.dtype: {td}, mygrad {md}")
        for attr in ("requires_grad", "is_leaf", "_version") if pair.versioned else ("requires_grad", "is_leaf"):
            a, b = read(getattr, t, attr), read(getattr, m, attr)
            if a != b:
                problems["flags"].append(f"{pair.name}.{attr}: torch {a}, mygrad {b}")
        a, b = read(lambda: _node_name(t.grad_fn)), read(lambda: _node_name(m.grad_fn))
        if a != b:
            problems["grad_fn"].append(f"{pair.name}.grad_fn: torch {a}, mygrad {b}")
        tg, mg = read(getattr, t, "grad"), read(getattr, m, "grad")
        if (tg is None) != (mg is None) or isinstance(tg, Raised) or isinstance(mg, Raised):
            if tg != mg:
                problems["grad"].append(f"{pair.name}.grad: torch {_grad_text(tg)}, mygrad {_grad_text(mg)}")
        elif tg is not None:
            found = _differ(read(to_numpy, tg), read(to_numpy, mg), rtol, atol)
            if found:
                problems["grad"].append(describe(f"{pair.name}.grad", found))
            a, b = read(getattr, tg, "requires_grad"), read(getattr, mg, "requires_grad")
            if a != b:
                problems["grad"].append(f"{pair.name}.grad.requires_grad: torch {a}, mygrad {b}")
            same_t = pair.grads["torch"] is tg
            same_m = pair.grads["mygrad"] is mg
            if same_t != same_m and pair.grads["torch"] is not None:
                problems["grad"].append(f"{pair.name}.grad is {'still' if same_t else 'no longer'} the same tensor "
                                        f"object in torch, {'still' if same_m else 'no longer'} in mygrad "
                                        f"(accumulation in place)")
        pair.grads = {"torch": tg, "mygrad": mg}


def _differ(expected, actual, rtol: float, atol: float):
    """``compare_values``, after a fast path for the common case of equal arrays (every step compares
    every tensor of the program, and most are exactly equal)."""
    if type(expected) is np.ndarray and type(actual) is np.ndarray and expected.shape == actual.shape \
            and expected.dtype == actual.dtype and np.array_equal(expected, actual):
        return None
    return compare_values(expected, actual, rtol, atol)


def _sharing(tensors: list) -> list:
    """For each two of ``tensors`` (None for a missing one): 'same' (one object), 'shared' (memory in
    common) or 'apart'."""
    arrays = [None if t is None else read(lambda t=t: t.detach().numpy()) for t in tensors]
    found: list = []
    for i, a in enumerate(tensors):
        for j in range(i + 1, len(tensors)):
            b = tensors[j]
            if a is None or b is None or isinstance(arrays[i], Raised) or isinstance(arrays[j], Raised):
                found.append(None)
            else:
                found.append("same" if a is b else "shared" if np.shares_memory(arrays[i], arrays[j]) else "apart")
    return found


def _nones(grads: list) -> str:
    return "[" + ", ".join("None" if g is None else "grad" for g in grads) + "]"


def _node_name(node):
    return None if node is None else type(node).__name__


def _grad_text(g) -> str:
    return "None" if g is None else f"a tensor of shape {tuple(g.shape)}" if hasattr(g, "shape") else str(g)


def _machine_settings(profile, shrink: bool) -> settings:
    return settings(max_examples=profile.machine_runs, stateful_step_count=profile.machine_steps, deadline=None,
                    database=None, derandomize=False, verbosity=Verbosity.quiet, report_multiple_bugs=False,
                    print_blob=False, phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example, HealthCheck.filter_too_much])


def _run(profile, base_seed: int, shrink: bool, tally: dict, target: str | None, first: dict,
         stats: dict | None = None) -> int:
    machine = type("Worlds", (PairedWorlds,), {"tally": tally, "target": target, "first": first, "runs": [0],
                                               "stats": stats if stats is not None else _new_stats()})
    test = get_state_machine_test(machine, settings=_machine_settings(profile, shrink))
    with no_local_constants():
        hypothesis_seed(case_seed(ROW, base_seed))(test)()
    runs: int = machine.runs[0]  # type: ignore[attr-defined]  # (the class made just above)
    return runs


def mix(stats: dict) -> dict:
    """The program mix as the report prints it: steps that succeeded and raised, backward calls, shapes."""
    steps, raised = stats["steps"], stats["raised"]
    share = f"{(steps - raised) / steps:.0%}" if steps else "-"
    return {"programs": stats["programs"], "steps": steps, "succeeded": steps - raised, "raised": raised,
            "succeeded share": share,
            "backward_ok": stats["backward"] - stats["backward_raised"], "backward_raised": stats["backward_raised"],
            "hook_calls": stats["hook_calls"], "graph_shapes": len(stats["shapes"])}


def run_machine(profile, base_seed: int = 0, only: tuple | None = None) -> MachineResult:
    """Run the behaviour suite; mismatches per check (``only``: of these), each with a shrunk program; the
    program mix in ``stats``."""
    started = time.perf_counter()
    result = MachineResult(ROW, ROW, "machine", "float64", counts={c: [0, 0] for c in CHECKS})
    first: dict = {}
    stats = _new_stats()

    def run(target, shrink):
        if target is None:
            result.examples = _run(profile, base_seed, False, result.counts, None, first, stats)
        else:
            _run(profile, base_seed, True, {c: [0, 0] for c in CHECKS}, target, {})

    names = tuple(c for c in CHECKS if only is None or c in only)
    result.crash, findings = survey_then_shrink(run, names, profile.shrink_seconds, first)
    result.stats = mix(stats)
    for check, (diff, program), shrunk, note in findings:
        if note:
            program += f"# ({note})\n"
        result.failures.append(Failure(check=check, diff=diff, numbers={}, snippet=program, example=program,
                                       shrunk=shrunk, failed_examples=result.counts[check][1]))
    result.counts = {c: result.counts[c] for c in names}
    result.seconds = round(time.perf_counter() - started, 3)
    return result
