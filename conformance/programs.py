"""Randomized programs: multi-op programs drawn from the registry, run in torch and in the library side by side.

Where a record's row checks one call on fresh leaves and the behaviour suite exercises the engine with a
handful of fixed ops, a *program* chains many ops the way user code does: a pool of tensors (leaves of
drawn shapes and dtypes, float64, float32, int64 and bool) grows step by step, and each step feeds on
it.  A step is a registry record's call (any record: its own example builder draws the arguments, and
every tensor argument whose shape and dtype a tensor of the pool has is fed from the pool, so the
program becomes a DAG that reuses tensors and crosses op families), an elementwise op of two pool
tensors (broadcast, mixed dtypes) or of a tensor and a Python scalar, a reduction, a matmul, a view
(non-contiguous ones among them), an in-place edit (under ``no_grad``, or in grad mode on a non-leaf),
``retain_grad``, ``requires_grad_``, a backward (of one or two roots, mostly with ``retain_graph=True``,
so several backward calls accumulate into the same leaves), ``autograd.grad``, or a ``.grad`` reset.
Now and then an op step runs under ``no_grad``.

``programs(max_steps)`` is the Hypothesis strategy: it draws a ``Program`` (a list of ``Step``), running
each drawn step in torch as it goes so that the next step can pick tensors it will accept (torch is the
oracle of shapes and dtypes too).  ``run_programs`` runs each program in both libraries, a step at a
time, and after every step compares every tensor of the pool: value and dtype (``value``),
``requires_grad``, ``is_leaf`` and ``_version`` (``flags``), the ``grad_fn`` node name (``grad_fn``)
and ``.grad`` (``grad``); a step must raise in both (the same exception class) or in neither
(``errors``).  The comparisons and tolerances are the harness's own (``checks.compare_values`` and
``checks.tolerance``, for the largest tensor of the program).  A mismatch is reported as the program,
shrunk by Hypothesis, written out as torch code up to the step where the libraries part.
"""
from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, seed as hypothesis_seed, settings, strategies as st

from .checks import BEHAVIOUR, compare_values, describe, raise_diff, tolerance
from .paired import LIBRARIES, Raised, dtype_name, invoke, is_tensor, library, read, resolve, tensor_args, to_numpy
from .registry import Example, LibAttr, Record, TensorArg
from .runner import Case, CaseResult, Failure, Found, applicable, case_seed, no_local_constants, survey_then_shrink
from .snippets import call_expression, tensor_literal
from .strategies import draws_hostile, example_for

ROW = "programs"
CHECKS = BEHAVIOUR        # the checks a program is compared on (errors, value, grad_fn, flags, grad)
SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1), (3, 3)]
LEAF_DTYPES = ["float64", "float64", "float64", "float32", "float32", "int64", "bool"]
PICK = st.integers(0, 2 ** 16)   # which tensor among those a step can use (0, the simplest, is the newest)
SCALARS = [2, -1, 0.5, -1.5, 3.0]
PRELUDE = ["import torch  # or: import mygrad as torch", ""]


def values_for(shape: tuple, seed: int, dtype: str) -> np.ndarray:
    """Leaf values: multiples of 1/8 in [-2, 2] (exact in every float dtype), small integers, or bools."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(-16, 17, size=shape)
    if dtype == "bool":
        return raw > 0
    if dtype == "int64":
        return (raw // 4).astype(np.int64)
    return (raw / 8.0).astype(dtype)


@dataclass
class Step:
    """One line (or block) of the program: ``code`` is its torch source, ``run(lib, env)`` runs it in one
    world (``env``: the pool's names to that world's tensors) and returns what it made (bound to ``out``)."""
    kind: str
    code: str
    run: Callable
    out: str | None = None          # the name the result is bound to (a sequence's tensors: out[0], ...)
    setup: tuple = ()               # source lines the step needs first (a record's call definition)
    row: str | None = None          # the registry row the step calls
    versioned: bool = True          # whether its tensors' _version is compared (not for autograd.grad's results:
                                    # torch sums into its input buffers in place, mygrad out of place)

    def __repr__(self) -> str:
        return self.code


@dataclass
class Program:
    """A drawn program: its steps, in order.  ``repr`` is its torch source."""
    steps: list = field(default_factory=list)

    def source(self, raised: dict | None = None, upto: int | None = None, note: str = "") -> str:
        """The program as standalone torch code, through step ``upto``; steps that raised (``raised``: step
        index -> (torch's, the library's) error) are wrapped in try/except so it runs to the end."""
        raised = raised or {}
        lines = list(PRELUDE)
        for i, step in enumerate(self.steps[:None if upto is None else upto + 1]):
            lines += list(step.setup)
            if i in raised:
                te, me = raised[i]
                lines.append("try:")
                lines += ["    " + line for line in step.code.splitlines()]
                lines.append(f"except Exception as error:  # torch: {te or 'no error'}; mygrad: {me or 'no error'}")
                lines.append("    print('raised', type(error).__name__, error)")
            else:
                lines += step.code.splitlines()
        if note:
            lines.append(note)
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return self.source()

    def needed(self, upto: int, also: str = "", idle: tuple = ("leaf", "op")) -> "Program":
        """The steps through ``upto`` that can matter to it: a step of a kind in ``idle`` (by default those that
        only make a tensor) whose tensors no later kept step (nor ``also``, the report's note) names is left
        out (a step that makes nothing: the tensors it names)."""
        kept: list = []
        text = also
        for i in range(upto, -1, -1):
            step = self.steps[i]
            names = [step.out] if step.out is not None else re.findall(r"\b[txg]\d+\b", step.code)
            if i == upto or step.kind not in idle or any(re.search(rf"\b{re.escape(n)}\b", text) for n in names):
                kept.append(step)
                text += "\n" + step.code
        return Program(kept[::-1])


# ----- the ops a step may apply ------------------------------------------------------------------

UNARY = [
    ("{a}.exp()", lambda lib, a: a.exp()), ("{a}.tanh()", lambda lib, a: a.tanh()),
    ("{a}.sigmoid()", lambda lib, a: a.sigmoid()), ("{a}.relu()", lambda lib, a: a.relu()),
    ("{a}.abs()", lambda lib, a: a.abs()), ("-{a}", lambda lib, a: -a), ("{a}.sin()", lambda lib, a: a.sin()),
    ("{a}.sqrt()", lambda lib, a: a.sqrt()), ("{a}.clamp(-0.5, 0.5)", lambda lib, a: a.clamp(-0.5, 0.5)),
    ("{a}.float()", lambda lib, a: a.float()), ("{a}.double()", lambda lib, a: a.double()),
    ("{a}.pow(2)", lambda lib, a: a.pow(2)), ("{a}.clone()", lambda lib, a: a.clone()),
    ("{a}.detach()", lambda lib, a: a.detach()), ("torch.softmax({a}, -1)", lambda lib, a: lib.softmax(a, -1)),
]
REDUCE = [
    ("{a}.sum()", lambda lib, a: a.sum()), ("{a}.mean()", lambda lib, a: a.mean()),
    ("{a}.sum(0)", lambda lib, a: a.sum(0)), ("{a}.sum(-1, keepdim=True)", lambda lib, a: a.sum(-1, keepdim=True)),
    ("{a}.amax(-1)", lambda lib, a: a.amax(-1)), ("{a}.max()", lambda lib, a: a.max()),
    ("{a}.prod()", lambda lib, a: a.prod()), ("{a}.norm()", lambda lib, a: a.norm()),
    ("{a}.logsumexp(-1)", lambda lib, a: a.logsumexp(-1)),
]
VIEWS = [  # (0-d tensors take only the first few)
    ("{a}.reshape(-1)", lambda lib, a: a.reshape(-1)), ("{a}.view(-1)", lambda lib, a: a.view(-1)),
    ("{a}.unsqueeze(0)", lambda lib, a: a.unsqueeze(0)), ("{a}.expand(2, *{a}.shape)",
                                                          lambda lib, a: a.expand(2, *a.shape)),
    ("{a}.t()", lambda lib, a: a.t()), ("{a}.transpose(0, -1)", lambda lib, a: a.transpose(0, -1)),
    ("{a}[..., ::2]", lambda lib, a: a[..., ::2]), ("{a}[1:]", lambda lib, a: a[1:]), ("{a}[0]", lambda lib, a: a[0]),
    ("{a}.flatten()", lambda lib, a: a.flatten()), ("{a}.squeeze()", lambda lib, a: a.squeeze()),
]
SCALAR_VIEWS = 4
BINARY = [
    ("{a} + {b}", lambda lib, a, b: a + b), ("{a} - {b}", lambda lib, a, b: a - b),
    ("{a} * {b}", lambda lib, a, b: a * b), ("{a} / {b}", lambda lib, a, b: a / b),
    ("torch.maximum({a}, {b})", lambda lib, a, b: lib.maximum(a, b)),
    ("torch.where({a} > {b}, {a}, {b})", lambda lib, a, b: lib.where(a > b, a, b)),
]   # (no atan2 or copysign: they turn the sign of a zero, which BLAS kernels give differently from one
    # matmul path to another, into a difference of 2 pi; the op's record checks it on its own)
WITH_SCALAR = [
    ("{a} * {s}", lambda lib, a, s: a * s), ("{s} * {a}", lambda lib, a, s: s * a),
    ("{a} + {s}", lambda lib, a, s: a + s), ("{s} - {a}", lambda lib, a, s: s - a),
    ("{a} / {s}", lambda lib, a, s: a / s), ("{s} / {a}", lambda lib, a, s: s / a),
    ("{a} ** {s}", lambda lib, a, s: a ** s),
]
EDITS = [   # in-place edits; (code, function, whether it takes a second tensor)
    ("{a}.mul_(0.5)", lambda lib, a: a.mul_(0.5), False), ("{a}.add_(0.25)", lambda lib, a: a.add_(0.25), False),
    ("{a}.zero_()", lambda lib, a: a.zero_(), False), ("{a}.exp_()", lambda lib, a: a.exp_(), False),
    ("{a}.clamp_(-1, 1)", lambda lib, a: a.clamp_(-1, 1), False),
    ("{a}.sigmoid_()", lambda lib, a: a.sigmoid_(), False),
    ("{a}.add_({b})", lambda lib, a, b: a.add_(b), True), ("{a}.copy_({b})", lambda lib, a, b: a.copy_(b), True),
    ("{a}.mul_({b})", lambda lib, a, b: a.mul_(b), True),
]


def _setitem(lib, a):
    a[0] = 1.0


@lru_cache(maxsize=1)
def eligible_records() -> tuple:
    """The registry's records a program may call: those whose results torch reproduces and a chain of ops
    keeps within the common tolerances (records with their own tolerance are ill-conditioned ops)."""
    from .registry import all_records
    return tuple(r for r in all_records() if r.supports_torch() and not r.unchecked and not r.tolerance)


# ----- drawing a program -------------------------------------------------------------------------

class Pool:
    """The tensors of the program being drawn, as torch holds them (the oracle says what a step accepts)."""

    def __init__(self):
        self.torch = library("torch")
        self.env: dict[str, Any] = {}
        self.count = 0

    def fresh(self, prefix: str = "t") -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def names(self, *wanted) -> list[str]:
        found = []
        for name, t in self.env.items():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if all(w(t) for w in wanted):
                        found.append(name)
            except Exception:   # (torch's own reads can raise: the grad_fn of a view edited in place)
                continue
        return found

    def pick(self, draw, *wanted) -> str | None:
        found = self.names(*wanted)
        return found[-1 - draw(PICK) % len(found)] if found else None

    def run(self, step: Step) -> None:
        """Run the step in torch and bind what it made (nothing when torch raises: the step stays, its
        error is compared)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = step.run(self.torch, self.env)
            except Exception:
                return
        bind(self.torch, self.env, step, result)


def bind(lib, env: dict, step: Step, result) -> list[str]:
    """Put a step's tensors into the pool (a sequence's tensors as ``out[i]``); their names."""
    if step.out is None:
        return []
    if is_tensor(lib, result):
        env[step.out] = result
        return [step.out]
    if isinstance(result, (tuple, list)):
        names = []
        for i, r in enumerate(result):
            if is_tensor(lib, r):
                env[f"{step.out}[{i}]"] = r
                names.append(f"{step.out}[{i}]")
        return names
    return []


def _floating(t) -> bool:
    return t.dtype.is_floating_point


def _requires_grad(t) -> bool:
    return t.requires_grad


def _plain(t) -> bool:
    """Not too large to print (the report's program), and no empty tensors among the program's own ops."""
    return 0 < t.numel() <= 64


def _editable(t) -> bool:
    """An in-place op in grad mode is refused on a leaf that requires grad and on a view of one."""
    base = t._base
    return t.dtype.is_floating_point and not (t.requires_grad and (t.is_leaf or (base is not None and base.is_leaf)))


def _leaf(draw, pool: Pool) -> list[Step]:
    shape = draw(st.sampled_from(SHAPES))
    dtype = draw(st.sampled_from(LEAF_DTYPES))
    values = values_for(shape, draw(PICK), dtype)
    rg = dtype.startswith("float") and draw(st.integers(0, 3)) > 0
    return [_leaf_step(pool.fresh("x"), values, rg)]


def _leaf_step(name: str, values: np.ndarray, requires_grad: bool, parameter: bool = False) -> Step:
    literal = tensor_literal(values, requires_grad and not parameter)
    if parameter:
        literal = f"torch.nn.Parameter({tensor_literal(values)}, requires_grad={requires_grad})"

    def run(lib, env):
        t = lib.tensor(np.array(values, copy=True), requires_grad=requires_grad and not parameter)
        return lib.nn.Parameter(t, requires_grad=requires_grad) if parameter else t
    return Step("leaf", f"{name} = {literal}", run, name)


def _registry(draw, pool: Pool) -> list[Step]:
    """A registry record's call: its example builder draws the arguments; every tensor argument the pool has
    a tensor of the same shape and dtype for is (mostly) fed from the pool, the others become new leaves."""
    record: Record = draw(st.sampled_from(eligible_records()))
    form = draw(st.sampled_from(record.forms))
    dtype = draw(st.sampled_from(record.dtypes))
    example: Example = draw(example_for(record.example, dtype, form, draws_hostile(record)))
    case = Case(record, form, dtype)
    if not applicable(case, example):
        return []
    steps, names = [], {}
    for arg in tensor_args(example):
        array = np.asarray(arg.array)
        same = [] if arg.parameter else pool.names(
            lambda t, a=array: tuple(t.shape) == a.shape and str(t.dtype) == f"torch.{a.dtype}")
        if same and draw(st.integers(0, 3)) > 0:
            names[id(arg)] = same[-1 - draw(PICK) % len(same)]
        else:
            name = pool.fresh("x")
            names[id(arg)] = name
            rg = bool(arg.requires_grad) and array.dtype.kind == "f"
            steps.append(_leaf_step(name, array, rg, arg.parameter))
    setup, expression = call_expression(case, example, names)
    out = pool.fresh()

    def convert(lib, env, v):
        if isinstance(v, TensorArg):
            return env[names[id(v)]]
        if isinstance(v, LibAttr):
            return resolve(lib, v.name)
        if isinstance(v, list):
            return [convert(lib, env, x) for x in v]
        if isinstance(v, tuple):
            return tuple(convert(lib, env, x) for x in v)
        return v

    def run(lib, env):
        args = tuple(convert(lib, env, a) for a in example.args)
        kwargs = {k: convert(lib, env, v) for k, v in example.kwargs.items()}
        return invoke(record, form, lib, args, kwargs)[0]
    code = "\n".join(line for line in setup if line.startswith("target =")) + "\n" if form == "inplace" else ""
    before = tuple(line for line in setup if not line.startswith("target ="))
    steps.append(Step("registry", f"{code}{out} = {expression}", run, out, setup=before, row=record.row))
    return steps


def _op(code: str, fn, names: list[str], out: str, quiet: bool) -> Step:
    """An op step over pool tensors; ``quiet``: under ``no_grad``."""
    text = f"{out} = {code.format(**dict(zip('ab', names)))}"

    def run(lib, env):
        operands = [env[n] for n in names]
        if quiet:
            with lib.no_grad():
                return fn(lib, *operands)
        return fn(lib, *operands)
    return Step("op", f"with torch.no_grad():\n    {text}" if quiet else text, run, out)


def _operand(draw, pool: Pool, *wanted) -> str | None:
    """A pool tensor for an op: mostly one that requires grad (where the graph grows), else any."""
    if draw(st.integers(0, 3)) > 0:
        found = pool.pick(draw, _plain, _requires_grad, *wanted)
        if found is not None:
            return found
    return pool.pick(draw, _plain, *wanted)


def _unary(draw, pool: Pool) -> list[Step]:
    a = _operand(draw, pool)
    if a is None:
        return []
    kind = draw(st.sampled_from(["unary", "unary", "reduce", "view", "scalar"]))
    quiet = draw(st.integers(0, 7)) == 0
    if kind == "unary":
        code, fn = draw(st.sampled_from(UNARY))
    elif kind == "reduce":
        code, fn = draw(st.sampled_from(REDUCE))
    elif kind == "view":
        views = VIEWS if pool.env[a].dim() >= 1 else VIEWS[:SCALAR_VIEWS]
        code, fn = draw(st.sampled_from(views))
    else:
        code, fn = draw(st.sampled_from(WITH_SCALAR))
        s = draw(st.sampled_from(SCALARS))
        code, fn = code.replace("{s}", repr(s)), (lambda lib, x, f=fn, s=s: f(lib, x, s))
    return [_op(code, fn, [a], pool.fresh(), quiet)]


def _broadcastable(x, y) -> bool:
    try:
        np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
        return True
    except ValueError:
        return False


def _binary(draw, pool: Pool) -> list[Step]:
    """Two pool tensors (the same one twice now and then): elementwise with broadcasting and type promotion,
    ``add`` with an ``alpha``, matmul, cat, stack."""
    a = _operand(draw, pool)
    if a is None:
        return []
    ta = pool.env[a]
    kind = draw(st.sampled_from(["elementwise", "elementwise", "alpha", "matmul", "join"]))
    if kind == "matmul":
        wanted = (lambda t: t.dim() >= 1 and t.shape[0] == ta.shape[-1]) if ta.dim() >= 1 else None
        b = wanted and _operand(draw, pool, wanted)
        if b is None:
            return []
        return [_op("{a} @ {b}", lambda lib, x, y: x @ y, [a, b], pool.fresh(), draw(st.integers(0, 7)) == 0)]
    if kind == "join":
        b = _operand(draw, pool, lambda t: t.shape == ta.shape)
        if b is None:
            return []
        code, fn = draw(st.sampled_from([("torch.stack([{a}, {b}])", lambda lib, x, y: lib.stack([x, y])),
                                         ("torch.cat([{a}, {b}])", lambda lib, x, y: lib.cat([x, y]))]))
        return [_op(code, fn, [a, b], pool.fresh(), False)]
    b = _operand(draw, pool, lambda t: _broadcastable(t, ta))
    if b is None:
        return []
    if kind == "alpha":
        s = draw(st.sampled_from(SCALARS))
        return [_op(f"{{a}}.add({{b}}, alpha={s!r})", lambda lib, x, y: x.add(y, alpha=s), [a, b], pool.fresh(),
                    False)]
    code, fn = draw(st.sampled_from(BINARY))
    return [_op(code, fn, [a, b], pool.fresh(), draw(st.integers(0, 7)) == 0)]


def _edit(draw, pool: Pool) -> list[Step]:
    """An in-place edit of a pool tensor: under ``no_grad`` (any floating tensor: leaves too), or in grad mode
    (on one torch allows it on; a later backward through a saved value it changed raises in torch)."""
    quiet = draw(st.booleans())
    a = pool.pick(draw, _plain, _floating) if quiet else pool.pick(draw, _plain, _editable)
    if a is None:
        return []
    ta = pool.env[a]
    if draw(st.integers(0, 5)) == 0 and ta.dim() >= 1:
        code, fn, names = "{a}[0] = 1.0", _setitem, [a]
    else:
        code, fn, two = draw(st.sampled_from(EDITS))
        names = [a]
        if two:
            b = pool.pick(draw, _plain, lambda t: np.broadcast_shapes(tuple(t.shape), tuple(ta.shape)) == ta.shape
                          if _broadcastable(t, ta) else False)
            if b is None:
                return []
            names.append(b)
    text = code.format(**dict(zip("ab", names)))

    def run(lib, env):
        operands = [env[n] for n in names]
        if quiet:
            with lib.no_grad():
                fn(lib, *operands)
        else:
            fn(lib, *operands)
    return [Step("edit", f"with torch.no_grad():\n    {text}" if quiet else text, run)]


def _autograd_state(draw, pool: Pool) -> list[Step]:
    """``retain_grad``, ``requires_grad_``, ``.grad = None`` or ``.grad.zero_()``."""
    kind = draw(st.sampled_from(["retain_grad", "retain_grad", "requires_grad_", "grad = None", "grad.zero_()"]))
    if kind == "retain_grad":
        a = pool.pick(draw, _requires_grad, lambda t: not t.is_leaf)
        if a is None:
            return []
        retained = [Step("state", f"{a}.retain_grad()", lambda lib, env: env[a].retain_grad())]
        if draw(st.booleans()):   # then backward through it twice: its retained .grad accumulates
            retained += [Step("backward", f"{a}.sum().backward(retain_graph=True)",
                              lambda lib, env: env[a].sum().backward(retain_graph=True))] * 2
        return retained
    if kind == "requires_grad_":
        a = pool.pick(draw, _floating, lambda t: t.is_leaf and not t.requires_grad)
        return [] if a is None else [Step("state", f"{a}.requires_grad_()", lambda lib, env: env[a].requires_grad_())]
    a = pool.pick(draw, lambda t: t.grad is not None)
    if a is None:
        return []
    if kind == "grad = None":
        def reset(lib, env):
            env[a].grad = None
        return [Step("state", f"{a}.grad = None", reset)]
    return [Step("state", f"{a}.grad.zero_()", lambda lib, env: env[a].grad.zero_())]


def _backward(draw, pool: Pool) -> list[Step]:
    """A backward from one root (summed, or with an explicit gradient) or two, or ``autograd.grad``."""
    a = pool.pick(draw, _requires_grad, _floating)
    if a is None:
        return []
    retain = draw(st.integers(0, 4)) > 0
    kind = draw(st.sampled_from(["sum", "sum", "twice", "gradient", "two roots", "autograd.grad"]))
    if kind in ("sum", "twice"):   # (twice: the same graph again, accumulating into the same .grad)
        first = Step("backward", f"{a}.sum().backward(retain_graph={retain or kind == 'twice'})",
                     lambda lib, env: env[a].sum().backward(retain_graph=retain or kind == "twice"))
        return [first] if kind == "sum" else [first, Step("backward", f"{a}.sum().backward(retain_graph={retain})",
                                                          lambda lib, env: env[a].sum().backward(retain_graph=retain))]
    if kind == "gradient":
        return [Step("backward", f"{a}.backward(torch.ones_like({a}) * 0.5, retain_graph={retain})",
                     lambda lib, env: env[a].backward(lib.ones_like(env[a]) * 0.5, retain_graph=retain))]
    b = pool.pick(draw, _requires_grad, _floating)
    if kind == "two roots":
        return [Step("backward", f"torch.autograd.backward([{a}.sum(), ({b} * 2).sum()], retain_graph={retain})",
                     lambda lib, env: lib.autograd.backward([env[a].sum(), (env[b] * 2).sum()],
                                                            retain_graph=retain))]
    out = pool.fresh("g")
    return [Step("backward", f"{out} = torch.autograd.grad({a}.sum(), [{b}], retain_graph={retain}, "
                             f"allow_unused=True)",
                 lambda lib, env: lib.autograd.grad(env[a].sum(), [env[b]], retain_graph=retain, allow_unused=True),
                 out, versioned=False)]


# (edits weigh 3: an in-place update under no_grad is the tutorial loop's step, and the version-counter bugs it
# exposes must be caught at ci however the registry grows)
STEPS = [(_leaf, 1), (_registry, 4), (_unary, 4), (_binary, 4), (_edit, 3), (_autograd_state, 2), (_backward, 2)]
KINDS = [fn for fn, weight in STEPS for _ in range(weight)]


@st.composite
def programs(draw, max_steps: int = 12) -> Program:
    """A program of up to ``max_steps`` drawn steps (after one or two leaves), over a growing pool."""
    pool = Pool()
    program = Program()
    for _ in range(draw(st.integers(1, 2))):
        for step in _leaf(draw, pool):
            program.steps.append(step)
            pool.run(step)
    for _ in range(draw(st.integers(1, max_steps))):
        for step in draw(st.sampled_from(KINDS))(draw, pool):
            program.steps.append(step)
            pool.run(step)
    for _ in range(draw(st.integers(1, 2))):   # it ends with a backward or two (when one can run)
        for step in _backward(draw, pool):
            program.steps.append(step)
            pool.run(step)
    return program


# ----- running a program in both libraries ----------------------------------------------------------

class Mismatch(Found):
    """The check under study failed: carries the program that shows it (as source, and the steps it needs)."""

    def __init__(self, check: str, diff: str, program: str, where: tuple):
        super().__init__((diff, program, where))
        self.check, self.diff, self.program = check, diff, program


def _new_stats() -> dict:
    return {"programs": 0, "steps": 0, "raised": 0, "backward": 0, "backward_raised": 0, "registry": 0,
            "rows": set(), "torch_broke": 0}


def mix(stats: dict) -> dict:
    steps, raised = stats["steps"], stats["raised"]
    return {"programs": stats["programs"], "steps": steps, "succeeded": steps - raised, "raised": raised,
            "succeeded share": f"{(steps - raised) / steps:.0%}" if steps else "-",
            "backward_ok": stats["backward"] - stats["backward_raised"], "backward_raised": stats["backward_raised"],
            "registry_calls": stats["registry"], "registry_rows": len(stats["rows"]),
            "torch_broke": stats["torch_broke"]}   # (programs stopped where torch raised an internal assert)


class Run:
    """One program in both worlds; tallies every comparison, stops at the first mismatch."""

    def __init__(self, program: Program, tally: dict, target: str | None, first: dict, stats: dict):
        self.program, self.tally, self.target, self.first, self.stats = program, tally, target, first, stats
        self.libs = {name: library(name) for name in LIBRARIES}
        self.envs: dict[str, dict] = {name: {} for name in LIBRARIES}
        self.raised: dict = {}
        self.numel = 1
        self.unversioned: set = set()
        self.born: dict = {}   # (world, name) -> the tensor's _version when the step made it
        # the least precise floating dtype the program has made: a float64 tensor computed from float32 values
        # (``.double()``) carries their rounding, so floating values compare at that dtype's tolerance
        self.precision = "float64"

    def mismatch(self, check: str, diff: str, index: int, show: str = "") -> bool:
        self.tally[check][1] += 1
        note = f"# ^ {check} differs here: {diff}" + (f"\n{show}" if show else "")
        program = self.program.source(self.raised, index, note)
        self.first.setdefault(check, (diff, program, (self.program, index, show)))
        if self.target == check:
            raise Mismatch(check, diff, program, (self.program, index, show))
        return False

    def go(self) -> None:
        self.stats["programs"] += 1
        for index, step in enumerate(self.program.steps):
            if not self.step(index, step):
                return

    def step(self, index: int, step: Step) -> bool:
        outcome: dict = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, lib in self.libs.items():
                with np.errstate(all="raise" if name == "mygrad" else "ignore"):
                    try:
                        outcome[name] = (None, step.run(lib, self.envs[name]))
                    except Exception as exc:
                        outcome[name] = (Raised.of(exc), None)
        te, me = outcome["torch"][0], outcome["mygrad"][0]
        stats = self.stats
        if te is not None and "INTERNAL ASSERT FAILED" in te.message:
            # torch itself broke (its message asks for a bug report): its state is undefined from here, and
            # there is no behaviour to compare (e.g. mul_ on a retained output of var_mean after the backward)
            stats["torch_broke"] += 1
            return False
        stats["steps"] += 1
        stats["raised"] += te is not None
        stats["backward"] += step.kind == "backward"
        stats["backward_raised"] += step.kind == "backward" and te is not None
        if step.kind == "registry" and te is None:
            stats["registry"] += 1
            stats["rows"].add(step.row)
        if te is not None or me is not None:
            self.raised[index] = (te, me)
        differs = raise_diff(te, me)
        if differs:
            return self.mismatch("errors", f"`{step.code.splitlines()[-1].strip()}`: {differs}", index)
        self.tally["errors"][0] += 1
        if te is None:
            made = bind(self.libs["torch"], self.envs["torch"], step, outcome["torch"][1])
            ours = bind(self.libs["mygrad"], self.envs["mygrad"], step, outcome["mygrad"][1])
            if made != ours:
                return self.mismatch("value", f"`{step.code}` made tensors {made}, mygrad {ours}", index)
            for n in made:
                self.numel = max(self.numel, int(self.envs["torch"][n].numel()))
                for world, env in self.envs.items():
                    self.born[world, n] = read(getattr, env[n], "_version")
                made_dtype = dtype_name(self.envs["torch"][n].dtype)
                if made_dtype in ("float32", "float16", "bfloat16") and self.precision != "float16":
                    self.precision = "float16" if made_dtype in ("float16", "bfloat16") else "float32"
                if not step.versioned:
                    self.unversioned.add(n)
        return self.compare(index)

    def compare(self, index: int) -> bool:
        """Every tensor of the pool, in both worlds."""
        problems: dict = {check: [] for check in ("value", "flags", "grad_fn", "grad")}
        shows: dict = {check: [] for check in problems}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, t in self.envs["torch"].items():
                m = self.envs["mygrad"].get(name)
                self._compare(name, t, m, problems, shows)
        for check, found in problems.items():
            if found:
                return self.mismatch(check, "; ".join(found[:3]), index, "\n".join(shows[check][:3]))
            self.tally[check][0] += 1
        return True

    def _compare(self, name: str, t, m, problems: dict, shows: dict) -> None:
        dtype = read(lambda: dtype_name(t.dtype))
        floating = isinstance(dtype, str) and dtype.startswith(("float", "bfloat"))
        rtol, atol = tolerance(self.precision if floating else dtype if isinstance(dtype, str) else "float64",
                               self.numel)
        found = compare_values(read(to_numpy, t), read(to_numpy, m), rtol, atol)
        td, md = dtype, read(lambda: dtype_name(m.dtype))
        if found or td != md:
            problems["value"].append(describe(name, found) if found else f"{name}.dtype: torch {td}, mygrad {md}")
            shows["value"].append(f"print({name})")
        for attr in ("requires_grad", "is_leaf"):
            a, b = read(getattr, t, attr), read(getattr, m, attr)
            if a != b:
                problems["flags"].append(f"{name}.{attr}: torch {a}, mygrad {b}")
                shows["flags"].append(f"print({name}.{attr})")
        if name not in self.unversioned:
            # in-place edits since the tensor was made (a composite op's fresh result may already carry the
            # version of torch's internal in-place steps: how it was built, not what the program did)
            a, b = (_since(read(getattr, x, "_version"), self.born.get((world, name)))
                    for world, x in (("torch", t), ("mygrad", m)))
            if a != b:
                problems["flags"].append(f"{name}._version: {a} in-place edits since it was made in torch, {b} "
                                         f"in mygrad")
                shows["flags"].append(f"print({name}._version)")
        a, b = read(lambda: _node_name(t.grad_fn)), read(lambda: _node_name(m.grad_fn))
        if a != b:
            problems["grad_fn"].append(f"{name}.grad_fn: torch {a}, mygrad {b}")
            shows["grad_fn"].append(f"print({name}.grad_fn)")
        tg, mg = read(getattr, t, "grad"), read(getattr, m, "grad")
        if (tg is None) != (mg is None) or isinstance(tg, Raised) or isinstance(mg, Raised):
            if tg != mg:
                problems["grad"].append(f"{name}.grad: torch {_grad_text(tg)}, mygrad {_grad_text(mg)}")
                shows["grad"].append(f"print({name}.grad)")
        elif tg is not None:
            found = compare_values(read(to_numpy, tg), read(to_numpy, mg), rtol, atol)
            if found:
                problems["grad"].append(describe(f"{name}.grad", found))
                shows["grad"].append(f"print({name}.grad)")


def _without_idle_steps(check: str, program: str, where: tuple) -> str:
    """The reported program without the steps whose tensors nothing after them uses, when it still shows the
    mismatch (run again to make sure): first leaving out registry calls and edits too, then only the steps
    that make a tensor.  (Hypothesis shrinks a program's steps to their simplest, a new leaf, more readily
    than it deletes them.)"""
    drawn, index, show = where
    for idle in (("leaf", "op", "registry", "edit"), ("leaf", "op")):
        try:
            Run(drawn.needed(index, show, idle), {c: [0, 0] for c in CHECKS}, check, {}, _new_stats()).go()
        except Mismatch as exc:
            return exc.program
        except Exception:  # (a program that no longer runs: keep the one that did)
            pass
    return program


def _since(now, born):
    return now - born if isinstance(now, int) and isinstance(born, int) else now


def _node_name(node) -> str | None:
    return None if node is None else type(node).__name__


def _grad_text(g) -> str:
    return "None" if g is None else f"a tensor of shape {tuple(g.shape)}" if hasattr(g, "shape") else str(g)


# ----- the row ---------------------------------------------------------------------------------------

@dataclass
class ProgramsResult(CaseResult):
    """The programs row's result, with the mix the report prints under the matrix."""
    stats: dict = field(default_factory=dict)


def _settings(profile, shrink: bool) -> settings:
    return settings(max_examples=profile.program_runs, deadline=None, database=None, derandomize=False,
                    verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False,
                    phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
                    suppress_health_check=list(HealthCheck))


def _run(profile, base_seed: int, shrink: bool, tally: dict, target: str | None, first: dict, stats: dict) -> int:
    runs = [0]

    @given(programs(profile.program_steps))
    def test(program):
        runs[0] += 1
        Run(program, tally, target, first, stats).go()
    test = settings(_settings(profile, shrink))(test)
    with no_local_constants():
        hypothesis_seed(case_seed(ROW, base_seed))(test)()
    return runs[0]


def run_programs(profile, base_seed: int = 0, only: tuple | None = None) -> ProgramsResult:
    """Run the randomized programs; mismatches per check (``only``: of these), each with a shrunk program."""
    started = time.perf_counter()
    result = ProgramsResult(ROW, ROW, "programs", "mixed", counts={c: [0, 0] for c in CHECKS})
    first: dict = {}
    stats = _new_stats()

    def run(target, shrink):
        if target is None:
            result.examples = _run(profile, base_seed, False, result.counts, None, first, stats)
        else:
            _run(profile, base_seed, True, {c: [0, 0] for c in CHECKS}, target, {}, _new_stats())

    names = tuple(c for c in CHECKS if only is None or c in only)
    result.crash, findings = survey_then_shrink(run, names, profile.shrink_seconds, first)
    result.stats = mix(stats)
    for check, (diff, program, where), shrunk, note in findings:
        program = _without_idle_steps(check, program, where)
        if note:
            program += f"# ({note})\n"
        result.failures.append(Failure(check=check, diff=diff, numbers={}, snippet=program, example=program,
                                       shrunk=shrunk, failed_examples=result.counts[check][1]))
    result.counts = {c: result.counts[c] for c in names}
    result.seconds = round(time.perf_counter() - started, 3)
    return result
