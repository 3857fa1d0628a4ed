"""The behaviour suite: accumulation, zeroing and grad modes, as a Hypothesis state machine.

Two worlds, torch and mygrad, run the same random program one step at a time: new leaves, ops
(elementwise, with Python scalars, reductions, views), ``retain_grad``, ``backward`` with and
without ``retain_graph`` and with an explicit gradient, ``grad.zero_()``, ``grad = None``,
``detach``, ``requires_grad_``, in-place updates (under ``no_grad`` and not), and nested
``no_grad`` / ``enable_grad`` / ``set_grad_enabled`` blocks.  After every step every paired tensor
must agree: value, grad (presence, value, and whether it is still the same object, since torch
accumulates in place), requires_grad, is_leaf, grad_fn name; and a step raises in both worlds
(the same class) or in neither.

Every step is also written down as a line of torch code, so a mismatch is reported as a
standalone program (shrunk by Hypothesis) that runs with ``import torch`` or ``import mygrad as torch``.
"""
from __future__ import annotations

import time
import warnings

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, seed as hypothesis_seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, get_state_machine_test, initialize, invariant,
                                 multiple, precondition, rule)

from .checks import BEHAVIOUR, compare_values, describe, raise_diff, tolerance
from .paired import LIBRARIES, Broken, Raised, library, read, to_numpy
from .report import tensor_literal
from .runner import CaseResult, Failure, Found, case_seed, no_local_constants, survey_then_shrink

ROW = "behaviour"
CHECKS = BEHAVIOUR   # the checks marked ``behaviour=True`` in checks.ALL
SHAPES = [(), (3,), (2, 3)]
MAX_MODE_DEPTH = 3

# ops a step may apply: (code template, function of the library and the operand)
UNARY = [
    ("-{a}", lambda lib, a: -a),
    ("{a}.exp()", lambda lib, a: a.exp()),
    ("{a}.sum()", lambda lib, a: a.sum()),
    ("{a}.mean()", lambda lib, a: a.mean()),
    ("{a}.sum(0)", lambda lib, a: a.sum(0)),
    ("{a}.sum(-1, keepdim=True)", lambda lib, a: a.sum(-1, keepdim=True)),
    ("{a}.clamp(-0.5, 0.5)", lambda lib, a: a.clamp(-0.5, 0.5)),
    ("{a}.reshape(-1)", lambda lib, a: a.reshape(-1)),
    ("{a}.unsqueeze(0)", lambda lib, a: a.unsqueeze(0)),
    ("{a}.clone()", lambda lib, a: a.clone()),
    ("{a}.pow(2)", lambda lib, a: a.pow(2)),
]
BINARY = [("{a} + {b}", lambda a, b: a + b), ("{a} - {b}", lambda a, b: a - b), ("{a} * {b}", lambda a, b: a * b)]
WITH_SCALAR = [
    ("{a} * {s}", lambda a, s: a * s), ("{s} * {a}", lambda a, s: s * a), ("{a} + {s}", lambda a, s: a + s),
    ("{s} - {a}", lambda a, s: s - a), ("{a} / {s}", lambda a, s: a / s),
]
INPLACE = [("mul_(0.5)", lambda a: a.mul_(0.5)), ("add_(0.25)", lambda a: a.add_(0.25)),
           ("zero_()", lambda a: a.zero_())]
MODES = {
    "no_grad()": lambda lib: lib.no_grad(),
    "enable_grad()": lambda lib: lib.enable_grad(),
    "set_grad_enabled(False)": lambda lib: lib.set_grad_enabled(False),
    "set_grad_enabled(True)": lambda lib: lib.set_grad_enabled(True),
}


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

    __slots__ = ("name", "sides", "grads")

    def __init__(self, name: str, sides: dict):
        self.name, self.sides = name, sides
        self.grads = {lib: None for lib in sides}   # the .grad objects seen after the last step (kept alive,
                                                    # so that identity is compared, never a reused id())

    def __repr__(self) -> str:
        return self.name


class PairedWorlds(RuleBasedStateMachine):
    """Set by ``run_machine`` on a subclass: ``tally`` (check -> [passed, failed]), ``target`` (the check
    to raise on, or None to only count), ``first`` (check -> (diff, program) of the first failure)."""

    tally: dict = {}
    target: str | None = None
    first: dict = {}
    runs: list = [0]

    tensors = Bundle("tensors")

    def __init__(self):
        super().__init__()
        self.libs = {name: library(name) for name in LIBRARIES}
        self.pairs: list[Pair] = []
        self.lines = ["import torch  # or: import mygrad as torch", ""]
        self.modes: list = []
        self.diverged = False
        self.count = 0
        type(self).runs[0] += 1

    # ----- the mechanics of a step ------------------------------------------------------------------
    def _emit(self, line: str) -> None:
        self.lines.append("    " * len(self.modes) + line)
        if self.modes:
            self.modes[-1][2] = True

    def program(self) -> str:
        lines = list(self.lines)
        return "\n".join(lines) + "\n"

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

    def _step(self, code: str, action, *pairs, pure: bool = False):
        """Run ``action(lib, *tensors)`` in both worlds; the two results, or None if either raised.

        ``pure``: the step only makes a new tensor, so when one world raises and the other does not,
        the worlds still agree on everything else and the run goes on (the error is still reported).
        """
        outcome = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, lib in self.libs.items():
                try:
                    outcome[name] = (None, action(lib, *[p.sides[name] for p in pairs]))
                except Exception as exc:
                    outcome[name] = (Raised.of(exc), None)
        te, me = outcome["torch"][0], outcome["mygrad"][0]
        differs = raise_diff(te, me)
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
            return None
        return outcome["torch"][1], outcome["mygrad"][1]

    def _new(self, code_for, action, *pairs):
        """A step that makes a new tensor: it joins the bundle (nothing joins if the step raised)."""
        if self.diverged:
            return multiple()
        name = f"t{self.count}"
        result = self._step(code_for(name), action, *pairs, pure=True)
        if result is None:
            return multiple()
        self.count += 1
        pair = Pair(name, dict(zip(self.libs, result)))
        self.pairs.append(pair)
        return pair

    def _do(self, code: str, action, *pairs) -> None:
        if not self.diverged:
            self._step(code, action, *pairs)

    # ----- rules -------------------------------------------------------------------------------
    @initialize(target=tensors, shape=st.sampled_from(SHAPES), seed=st.integers(0, 2 ** 16))
    def first_leaf(self, shape, seed):
        """Every program starts from a leaf that requires grad, so that gradient steps have work to do."""
        return self.new_leaf(shape, seed, True)

    @rule(target=tensors, shape=st.sampled_from(SHAPES), seed=st.integers(0, 2 ** 16), requires_grad=st.booleans())
    def new_leaf(self, shape, seed, requires_grad):
        values = values_for(shape, seed)
        return self._new(lambda n: f"{n} = {tensor_literal(values, requires_grad)}",
                         lambda lib: lib.tensor(values.copy(), dtype=lib.float64, requires_grad=requires_grad))

    @rule(target=tensors, a=tensors, op=st.sampled_from(UNARY))
    def unary(self, a, op):
        code, fn = op
        return self._new(lambda n: f"{n} = {code.format(a=a.name)}", fn, a)

    @rule(target=tensors, a=tensors, b=tensors, op=st.sampled_from(BINARY))
    def binary(self, a, b, op):
        code, fn = op
        return self._new(lambda n: f"{n} = {code.format(a=a.name, b=b.name)}", lambda lib, x, y: fn(x, y), a, b)

    @rule(target=tensors, a=tensors, op=st.sampled_from(WITH_SCALAR), s=st.sampled_from([0.5, 2.0, -1.5, 3]))
    def with_scalar(self, a, op, s):
        code, fn = op
        return self._new(lambda n: f"{n} = {code.format(a=a.name, s=s)}", lambda lib, x: fn(x, s), a)

    @rule(target=tensors, a=tensors)
    def detach(self, a):
        return self._new(lambda n: f"{n} = {a.name}.detach()", lambda lib, x: x.detach(), a)

    @rule(a=tensors)
    def retain_grad(self, a):
        self._do(f"{a.name}.retain_grad()", lambda lib, x: x.retain_grad(), a)

    @rule(a=tensors, retain=st.booleans(), explicit=st.booleans(), seed=st.integers(0, 2 ** 16))
    def backward(self, a, retain, explicit, seed):
        if self.diverged:
            return
        shape = tuple(a.sides["torch"].shape)
        gradient = values_for(shape, seed) if explicit else None
        given = f"{tensor_literal(gradient)}, " if explicit else ""

        def run(lib, x):
            g = None if gradient is None else lib.tensor(gradient.copy(), dtype=x.dtype)
            x.backward(g, retain_graph=retain)
        self._do(f"{a.name}.backward({given}retain_graph={retain})", run, a)

    @rule(a=tensors, retain=st.booleans())
    def sum_backward(self, a, retain):
        """``a.sum().backward()``: works from any tensor that requires grad, so accumulation gets exercised."""
        self._do(f"{a.name}.sum().backward(retain_graph={retain})", lambda lib, x: x.sum().backward(retain_graph=retain),
                 a)

    @rule(a=tensors)
    def zero_grad(self, a):
        self._do(f"{a.name}.grad.zero_()", lambda lib, x: x.grad.zero_(), a)

    @rule(a=tensors)
    def grad_to_none(self, a):
        def run(lib, x):
            x.grad = None
        self._do(f"{a.name}.grad = None", run, a)

    @rule(a=tensors, flag=st.booleans())
    def requires_grad_(self, a, flag):
        self._do(f"{a.name}.requires_grad_({flag})", lambda lib, x: x.requires_grad_(flag), a)

    @rule(a=tensors, op=st.sampled_from(INPLACE))
    def inplace_no_grad(self, a, op):
        code, fn = op

        def run(lib, x):
            with lib.no_grad():
                fn(x)
        self._do(f"with torch.no_grad(): {a.name}.{code}", run, a)

    @rule(a=tensors, op=st.sampled_from(INPLACE))
    def inplace(self, a, op):
        code, fn = op
        self._do(f"{a.name}.{code}", lambda lib, x: fn(x), a)

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

    def _compare(self, pair: Pair, problems: dict) -> None:
        """One tensor in both worlds: every read goes through ``read`` (torch's reads can raise too)."""
        t, m = pair.sides["torch"], pair.sides["mygrad"]
        rtol, atol = tolerance("float64", 1)
        found = compare_values(read(to_numpy, t), read(to_numpy, m), rtol, atol)
        if found:
            problems["value"].append(describe(f"{pair.name}", found))
        for attr in ("requires_grad", "is_leaf"):
            a, b = read(getattr, t, attr), read(getattr, m, attr)
            if a != b:
                problems["flags"].append(f"{pair.name}.{attr}: torch {a}, mygrad {b}")
        a, b = read(lambda: _node_name(t.grad_fn)), read(lambda: _node_name(m.grad_fn))
        if a != b:
            problems["grad_fn"].append(f"{pair.name}.grad_fn: torch {a}, mygrad {b}")
        tg, mg = read(getattr, t, "grad"), read(getattr, m, "grad")
        if (tg is None) != (mg is None) or isinstance(tg, Broken) or isinstance(mg, Broken):
            if tg != mg:
                problems["grad"].append(f"{pair.name}.grad: torch {_grad_text(tg)}, mygrad {_grad_text(mg)}")
        elif tg is not None:
            found = compare_values(read(to_numpy, tg), read(to_numpy, mg), rtol, atol)
            if found:
                problems["grad"].append(describe(f"{pair.name}.grad", found))
            same_t = pair.grads["torch"] is tg
            same_m = pair.grads["mygrad"] is mg
            if same_t != same_m and pair.grads["torch"] is not None:
                problems["grad"].append(f"{pair.name}.grad is {'still' if same_t else 'no longer'} the same tensor "
                                        f"object in torch, {'still' if same_m else 'no longer'} in mygrad "
                                        f"(accumulation in place)")
        pair.grads = {"torch": tg, "mygrad": mg}


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


def _run(profile, base_seed: int, shrink: bool, tally: dict, target: str | None, first: dict) -> None:
    machine = type("Worlds", (PairedWorlds,), {"tally": tally, "target": target, "first": first, "runs": [0]})
    test = get_state_machine_test(machine, settings=_machine_settings(profile, shrink))
    with no_local_constants():
        hypothesis_seed(case_seed(ROW, base_seed))(test)()
    return machine.runs[0]


def run_machine(profile, base_seed: int = 0, only: tuple | None = None) -> CaseResult:
    """Run the behaviour suite; mismatches per check (``only``: of these), each with a shrunk program."""
    started = time.perf_counter()
    result = CaseResult(ROW, ROW, "machine", "float64", counts={c: [0, 0] for c in CHECKS})
    first: dict = {}

    def run(target, shrink):
        if target is None:
            result.examples = _run(profile, base_seed, False, result.counts, None, first)
        else:
            _run(profile, base_seed, True, {c: [0, 0] for c in CHECKS}, target, {})

    names = tuple(c for c in CHECKS if only is None or c in only)
    result.crash, findings = survey_then_shrink(run, names, profile.shrink_seconds, first)
    for check, (diff, program), shrunk, note in findings:
        if note:
            program += f"# ({note})\n"
        result.failures.append(Failure(check=check, diff=diff, numbers={}, snippet=program, example=program,
                                       shrunk=shrunk, failed_examples=result.counts[check][1]))
    result.counts = {c: result.counts[c] for c in names}
    result.seconds = round(time.perf_counter() - started, 3)
    return result
