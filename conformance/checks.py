"""The checks: each is one ``Check`` object (name, description, comparison, its part of the repro snippet).

A check's ``compare`` returns ``None`` when it does not apply to an example (no gradient to compare
when torch raised in the forward, nothing second-order for a linear op...), else a ``Verdict``
whose ``diff`` says what differs and where.  Checks are independent: every applicable check runs
on every example, so one failing never hides another.  ``ALL`` (at the end) is the one list:
``CHECKS``, ``DESCRIPTIONS``, ``COMPARE``, the report's columns, the README's check table and the
behaviour suite's checks (``BEHAVIOUR``) are derived from it, so adding a check touches one place.

Tolerances live here and only here (``TOLERANCES`` and ``tolerance``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .error_inputs import message_diff
from .paired import NEGATIVE_SIZE, Observation, Raised, TensorObs, tensor_args
from .snippets import Repro, call_expression, tensor_literal

# (rtol, atol) per dtype: torch.testing.assert_close's defaults.  For float32 (and float16) the
# bound grows with the accumulation length, since a sum or contraction of n terms in single
# precision drifts by up to ~n ulps between two correct implementations (NumPy sums pairwise,
# torch in blocks); ``tolerance`` applies that growth.  Records may override the base pair.
TOLERANCES = {
    "float64": (1e-7, 1e-7),
    "float32": (1.3e-6, 1e-5),
    "float16": (1e-3, 1e-5),
}
GROWING = ("float32", "float16")


def tolerance(dtype: str, length: int, override: dict | None = None) -> tuple[float, float]:
    """(rtol, atol) for values of ``dtype`` computed from at most ``length`` elements."""
    rtol, atol = (override or {}).get(dtype) or TOLERANCES.get(dtype, (0.0, 0.0))
    if dtype in GROWING:
        growth = max(1.0, float(length)) ** 0.5 * 2
        rtol, atol = rtol * growth, atol * growth
    return rtol, atol


@dataclass
class Verdict:
    ok: bool
    diff: str = ""
    numbers: dict = field(default_factory=dict)   # max_abs, max_rel, where, torch, mygrad (worst mismatch)


PASS = Verdict(True)


@dataclass
class Context:
    """What the comparisons need besides the observations."""
    dtype: str
    tolerance_override: dict | None = None

    def tol(self, dtype: str, length: int) -> tuple[float, float]:
        return tolerance(dtype, length, self.tolerance_override)


# ----- comparing values ------------------------------------------------------------------------

def compare_values(expected, actual, rtol: float, atol: float) -> dict | None:
    """None when ``actual`` matches ``expected``; else the worst mismatch: max abs/rel error and where."""
    if isinstance(actual, Raised) or isinstance(expected, Raised):
        return None if actual == expected else {"what": f"torch {expected!r}, mygrad {actual!r}"}
    if isinstance(expected, str) or isinstance(actual, str):  # a module's repr or state_dict keys
        return None if expected == actual else {"what": f"torch {expected!r}, mygrad {actual!r}"}
    e, a = np.asarray(expected), np.asarray(actual)
    if e.shape != a.shape:
        return {"what": f"shape {tuple(e.shape)} vs {tuple(a.shape)}"}
    if e.size == 0:
        return None
    if e.dtype.kind not in "fc" and a.dtype.kind not in "fc":
        bad = e != a
        if not bad.any():
            return None
        where = np.unravel_index(int(np.argmax(bad)), e.shape)
        return {"max_abs": float(np.max(np.abs(e.astype(np.float64) - a.astype(np.float64)))), "max_rel": None,
                "where": [int(i) for i in where], "torch": e[where].item(), "mygrad": a[where].item()}
    e64, a64 = e.astype(np.float64), a.astype(np.float64)
    nan_e, nan_a = np.isnan(e64), np.isnan(a64)
    with np.errstate(all="ignore"):
        err = np.abs(e64 - a64)
        err = np.where(np.isfinite(e64) & np.isfinite(a64), err, np.where(e64 == a64, 0.0, np.inf))
        err = np.where(nan_e & nan_a, 0.0, np.where(nan_e | nan_a, np.inf, err))
        bad = err > atol + rtol * np.abs(np.where(np.isfinite(e64), e64, 0.0))
    if not bad.any():
        return None
    scored = np.where(bad, err, -1.0)
    where = np.unravel_index(int(np.argmax(scored)), e.shape)
    with np.errstate(all="ignore"):
        rel = np.nan_to_num(np.where(bad, err / np.abs(e64), 0.0), nan=np.inf)
    return {"max_abs": float(np.max(np.where(bad, err, 0.0))), "max_rel": float(np.max(rel)),
            "where": [int(i) for i in where], "torch": e64[where].item(), "mygrad": a64[where].item(),
            "mismatched": int(bad.sum()), "of": int(bad.size), "rtol": rtol, "atol": atol}


def describe(label: str, m: dict) -> str:
    if "what" in m:
        return f"{label}: {m['what']}"
    where = tuple(m["where"])
    text = (f"{label}: max abs err {m['max_abs']:.4g} at {where} (torch {m['torch']!r}, mygrad {m['mygrad']!r})")
    if m.get("max_rel") is not None:
        text += f", max rel err {m['max_rel']:.4g}"
    if "mismatched" in m:
        text += f"; {m['mismatched']}/{m['of']} elements off (rtol {m['rtol']:.3g}, atol {m['atol']:.3g})"
    return text


def _collect(problems: list[str], numbers: dict | None = None) -> Verdict:
    if not problems:
        return PASS
    return Verdict(False, "; ".join(problems), numbers or {})


def _field_diffs(label: str, t: list, m: list, attr: str) -> list[str]:
    """Differences of one attribute over paired entries (tensors; scalars compared by value)."""
    problems = []
    for i, (a, b) in enumerate(zip(t, m)):
        va = getattr(a, attr) if isinstance(a, TensorObs) else None
        vb = getattr(b, attr) if isinstance(b, TensorObs) else None
        if isinstance(a, TensorObs) != isinstance(b, TensorObs):
            problems.append(f"{label} {i}: torch {_kind(a)}, mygrad {_kind(b)}")
        elif va != vb or isinstance(vb, Raised):
            problems.append(f"{label} {i}: torch {va!r}, mygrad {vb!r}")
    return problems


def _kind(entry) -> str:
    if entry is None:
        return "None"
    if isinstance(entry, TensorObs):
        return "a tensor"
    if isinstance(entry, Raised):
        return repr(entry)
    return f"the {type(entry[1]).__name__} {entry[1]!r}"


def _forward_ran(t: Observation, m: Observation) -> bool:
    return "forward" not in t.errors and "forward" not in m.errors


# ----- the checks ------------------------------------------------------------------------------

def check_errors(t: Observation, m: Observation, ctx: Context) -> Verdict:
    forward = _stage_verdict(t, m, "forward")
    if forward is not None:
        return forward
    return _stage_verdict(t, m, "backward") or PASS


def check_shape(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m):
        return None
    if t.structure != m.structure:
        return Verdict(False, f"returns {_structure(t.structure)} in torch, {_structure(m.structure)} in mygrad")
    problems = _field_diffs("output", t.outputs, m.outputs, "shape")
    if t.returns_self != m.returns_self:
        problems.append(f"in-place call returns the changed tensor: torch {t.returns_self}, mygrad {m.returns_self}")
    return _collect(problems)


def _structure(s) -> str:
    if s is None:
        return "nothing"
    if s[0] == "tensor":
        return "a tensor"
    if s[0] == "sequence":
        return f"a {s[1]} of {s[2]}"
    return f"a Python {s[1]}"


def _paired_tensors(t: Observation, m: Observation):
    """Output pairs that are tensors on both sides (mismatched kinds are the shape check's)."""
    return [(i, a, b) for i, (a, b) in enumerate(zip(t.outputs, m.outputs))
            if isinstance(a, TensorObs) and isinstance(b, TensorObs)]


def _output_attributes(*attrs: str) -> Callable:
    """A check that the outputs' ``attrs`` (dtype, grad_fn name, flags) are torch's."""
    def check(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
        if not _forward_ran(t, m):
            return None
        return _collect([f"output {i} {attr}: torch {getattr(a, attr)}, mygrad {getattr(b, attr)!r}"
                         for i, a, b in _paired_tensors(t, m) for attr in attrs
                         if getattr(a, attr) != getattr(b, attr)])
    check.__name__ = f"check_{'_'.join(attrs)}"
    return check


check_dtype = _output_attributes("dtype")
check_grad_fn = _output_attributes("grad_fn")
check_flags = _output_attributes("requires_grad", "is_leaf")


def check_value(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m):
        return None
    problems: list = []
    numbers: dict = {}
    for i, (a, b) in enumerate(zip(t.outputs, m.outputs)):
        if isinstance(a, TensorObs) and isinstance(b, TensorObs):
            found = compare_values(a.value, b.value, *ctx.tol(a.dtype, t.numel))
        elif not isinstance(a, TensorObs) and not isinstance(b, TensorObs):
            found = compare_values(a[1], b[1], *ctx.tol(ctx.dtype, t.numel))
        else:
            continue
        if found:
            problems.append(describe(f"output {i}", found))
            numbers = numbers or found
    return _collect(problems, numbers)


def check_graph(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m):
        return None
    problems = []
    for i, a, b in _paired_tensors(t, m):
        if a.graph != b.graph:
            problems.append(f"output {i} ({a.grad_fn}): {graph_diff(a.graph, b.graph)}")
    return _collect(problems)


def check_saved(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    """Each node's ``_saved_*`` values that both libraries expose: a tensor where torch's is one, and
    freed by backward (reading raises) exactly where torch's are."""
    if t.saved is None or m.saved is None:
        return None
    problems = []
    for (t_name, t_attrs), (m_name, m_attrs) in zip(t.saved, m.saved):
        if t_name != m_name:  # the graphs differ from here on: the graph check says where
            break
        for attr, (t_before, t_after) in t_attrs.items():
            if attr not in m_attrs:  # (the libraries save differently named values: nothing to compare)
                continue
            m_before, m_after = m_attrs[attr]
            if (t_before, t_after) != (m_before, m_after):
                problems.append(f"{t_name}.{attr}: torch {t_before} before backward, {t_after} after; "
                                f"mygrad {m_before} before, {m_after} after")
    return _collect(problems)


def graph_diff(expected, actual, path: str = "next_functions") -> str:
    """The first place two next_functions trees differ, as a path and both sides."""
    if isinstance(expected, tuple) and isinstance(actual, tuple) and len(expected) == len(actual) \
            and all(isinstance(e, tuple) and len(e) == 2 for e in expected + actual):
        for k, ((ce, ne), (ca, na)) in enumerate(zip(expected, actual)):
            here = f"{path}[{k}]"
            if ne != na:
                return f"{here} output_nr: torch {ne}, mygrad {na}"
            if ce != ca:
                if isinstance(ce, tuple) and isinstance(ca, tuple) and ce[0] == ca[0]:
                    return graph_diff(ce[1], ca[1], f"{here}[0]({ce[0]}).next_functions")
                return f"{here}: torch {render_graph(ce)}, mygrad {render_graph(ca)}"
    return f"{path}: torch {render_graph(expected)}, mygrad {render_graph(actual)}"


def render_graph(g) -> str:
    """A compact text form: ``MulBackward0[(AccumulateGrad(x0), 0), (None, 0)]``."""
    if g is None:
        return "None"
    if isinstance(g, Raised):
        return repr(g)
    if isinstance(g, tuple) and len(g) == 2 and isinstance(g[0], str):
        name, rest = g
        if name == "AccumulateGrad":
            return f"AccumulateGrad({rest})"
        if rest == "...":
            return f"{name}[...]"
        return f"{name}[{', '.join(f'({render_graph(c)}, {nr})' for c, nr in rest)}]"
    if isinstance(g, tuple):
        return "(" + ", ".join(f"({render_graph(c)}, {nr})" for c, nr in g) + ")"
    return repr(g)


def _compare_grads(label: list[str], t: Any, m: Any, ctx: Context, length: int, flags: bool = False):
    problems: list = []
    numbers: dict = {}
    for name, a, b in zip(label, t, m):
        if (a is None) != (b is None) or isinstance(b, Raised):
            problems.append(f"{name}: torch {_kind_grad(a)}, mygrad {_kind_grad(b)}")
            continue
        if a is None:
            continue
        if a.shape != b.shape:
            problems.append(f"{name}: shape torch {a.shape}, mygrad {b.shape!r}")
            continue
        if a.dtype != b.dtype:
            problems.append(f"{name}: dtype torch {a.dtype}, mygrad {b.dtype!r}")
        if flags and a.requires_grad != b.requires_grad:
            problems.append(f"{name}: requires_grad torch {a.requires_grad}, mygrad {b.requires_grad!r}")
        found = compare_values(a.value, b.value, *ctx.tol(a.dtype, length))
        if found:
            problems.append(describe(name, found))
            numbers = numbers or found
    return problems, numbers


def _kind_grad(g) -> str:
    if g is None:
        return "None"
    if isinstance(g, Raised):
        return repr(g)
    return f"a {g.dtype} tensor of shape {g.shape}"


def check_grad(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m) or "backward" in t.errors or "backward" in m.errors:
        return None
    if not t.upstream and not m.upstream and all(g is None for g in t.grads + m.grads):
        return None
    names = [f"grad of x{i}" for i in range(len(t.grads))]
    problems, numbers = _compare_grads(names, t.grads, m.grads, ctx, t.numel)
    return _collect(problems, numbers)


def raise_diff(te, me) -> str | None:
    """None when both raised the same class or neither raised; else what each did."""
    if te is None and me is None or te is not None and me is not None and te.cls == me.cls:
        return None
    return (f"torch {'raised ' + str(te) if te else 'did not raise'}, "
            f"mygrad {'raised ' + str(me) if me else 'did not raise'}")


def _stage_verdict(t: Observation, m: Observation, stage: str) -> Verdict | None:
    """The verdict when either side raised at ``stage`` (None when neither did)."""
    te, me = t.errors.get(stage), m.errors.get(stage)
    if te is None and me is None:
        return None
    found = raise_diff(te, me)
    return PASS if found is None else Verdict(False, f"{stage}: {found}")


def check_double(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m) or (t.first is None and m.first is None and "double" not in t.errors
                                  and "double" not in m.errors):
        return None
    raised = _stage_verdict(t, m, "double")
    if raised is not None:
        return raised
    if (t.first is None) != (m.first is None):
        return Verdict(False, f"first-order grads: torch {t.first is not None}, mygrad {m.first is not None}")
    names = [f"create_graph grad of input {i}" for i in range(len(t.first or ()))]
    problems, numbers = _compare_grads(names, t.first, m.first, ctx, t.numel, flags=True)
    if (t.second is None) != (m.second is None):
        problems.append(f"second-order grads computed: torch {t.second is not None}, mygrad {m.second is not None}")
    elif t.second is not None:
        names = [f"second-order grad of input {i}" for i in range(len(t.second))]
        more, numbers2 = _compare_grads(names, t.second, m.second, ctx, t.numel)
        problems += more
        numbers = numbers or numbers2
    return _collect(problems, numbers)


def check_no_grad(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m):
        return None
    raised = _stage_verdict(t, m, "no_grad")
    if raised is not None:
        return raised
    problems = []
    for i, (a, b) in enumerate(zip(t.no_grad or [], m.no_grad or [])):
        if isinstance(a, TensorObs) and isinstance(b, TensorObs):
            for attr in ("requires_grad", "is_leaf", "grad_fn"):
                if getattr(a, attr) != getattr(b, attr):
                    problems.append(f"output {i} {attr} under no_grad: torch {getattr(a, attr)}, "
                                    f"mygrad {getattr(b, attr)!r}")
    if len(t.no_grad or []) != len(m.no_grad or []):
        problems.append(f"{len(t.no_grad or [])} outputs under no_grad in torch, {len(m.no_grad or [])} in mygrad")
    return _collect(problems)


def check_mutation(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    """An input torch leaves alone must stay exactly as drawn; one torch writes (an in-place op, a running
    statistic) must hold torch's values within the value tolerance, as any computed value."""
    problems = []
    for i, (a, b) in enumerate(zip(t.inputs_after, m.inputs_after)):
        before = t.inputs_before[i] if i < len(t.inputs_before) else None
        written = before is not None and not isinstance(a, Raised) and not _same_array(before, a)
        found = compare_values(a, b, *(ctx.tol(str(np.asarray(a).dtype), t.numel) if written else (0.0, 0.0)))
        if found:
            problems.append(describe(f"x{i} after the call", found))
    for i in m.upstream_changed:
        problems.append(f"the upstream gradient of output {i} was modified by mygrad's backward")
    return _collect(problems)


def _same_array(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def check_aliasing(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    if not _forward_ran(t, m):
        return None
    problems = []
    for a, b in sorted(m.aliases - t.aliases):
        problems.append(f"{a} shares memory with {b} in mygrad, not in torch")
    for a, b in sorted(t.aliases - m.aliases):
        if a.startswith("output") or b.startswith("output"):
            problems.append(f"{a} shares memory with {b} in torch (a view), not in mygrad")
    return _collect(problems)


def check_forward_ad(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    """Forward-mode AD: the tangent of every output, or the same exception class where torch has no
    forward formula for the op (its NotImplementedError)."""
    if not _forward_ran(t, m) or t.forward_ad is None and m.forward_ad is None:
        return None
    a, b = (t.forward_ad or {}).get("outputs"), (m.forward_ad or {}).get("outputs")
    if isinstance(a, Raised) or isinstance(b, Raised) or a is None or b is None:
        found = raise_diff(a if isinstance(a, Raised) else None, b if isinstance(b, Raised) else None)
        if a is None or b is None:
            found = f"forward-mode run: torch {a!r}, mygrad {b!r}"
        return PASS if found is None else Verdict(False, f"forward-mode AD: {found}")
    if len(a) != len(b):
        return Verdict(False, f"forward-mode AD: {len(a)} outputs in torch, {len(b)} in mygrad")
    problems: list = []
    numbers: dict = {}
    for i, (ta, tb) in enumerate(zip(a, b)):
        if (ta is None) != (tb is None) or isinstance(ta, Raised) or isinstance(tb, Raised):
            if not (isinstance(ta, Raised) and isinstance(tb, Raised) and ta == tb):
                problems.append(f"tangent of output {i}: torch {_kind_tangent(ta)}, mygrad {_kind_tangent(tb)}")
            continue
        if ta is None:
            continue
        if ta.dtype != tb.dtype:
            problems.append(f"tangent of output {i}: dtype torch {ta.dtype}, mygrad {tb.dtype}")
        mismatch = compare_values(ta, tb, *ctx.tol(str(ta.dtype), t.numel))
        if mismatch:
            problems.append(describe(f"tangent of output {i}", mismatch))
            numbers = numbers or mismatch
    return _collect(problems, numbers)


def _kind_tangent(v) -> str:
    if v is None:
        return "no tangent"
    if isinstance(v, Raised):
        return repr(v)
    return f"a {v.dtype} tangent of shape {tuple(v.shape)}"


def check_functional(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    """``autograd.functional.jacobian`` of the first floating output and ``hessian`` of the scalarised op."""
    if not _forward_ran(t, m) or t.functional is None and m.functional is None:
        return None
    a, b = t.functional or {}, m.functional or {}
    problems: list = []
    numbers: dict = {}
    for what in ("jacobian", "hessian"):
        if what not in a and what not in b:
            continue
        ta, tb = a.get(what), b.get(what)
        if isinstance(ta, Raised) or isinstance(tb, Raised) or ta is None or tb is None:
            if not (type(ta) is type(tb) and (ta is None or ta == tb)):
                mine = tb if isinstance(tb, Raised) else "computed" if tb is not None else "nothing"
                problems.append(f"{what}: torch {ta if isinstance(ta, Raised) else 'computed'}, mygrad {mine}")
            continue
        for label, ea, eb in _blocks(what, ta, tb):
            if isinstance(ea, np.ndarray) and isinstance(eb, np.ndarray) and ea.dtype != eb.dtype:
                problems.append(f"{label}: dtype torch {ea.dtype}, mygrad {eb.dtype}")
            found = compare_values(ea, eb, *ctx.tol(ctx.dtype, t.numel)) if isinstance(eb, np.ndarray) \
                else {"what": f"torch {_structure_of(ea)}, mygrad {_structure_of(eb)}"}
            if found:
                problems.append(describe(label, found))
                numbers = numbers or found
    return _collect(problems, numbers)


def _blocks(label: str, a, b):
    """(label, torch's array, mygrad's) for every block of two nested results; structure mismatches as one pair."""
    if isinstance(a, np.ndarray) or not isinstance(b, tuple) or len(a) != len(b):
        return [(label, a, b)]
    return [pair for k, (x, y) in enumerate(zip(a, b)) for pair in _blocks(f"{label}[{k}]", x, y)]


def _structure_of(v) -> str:
    if isinstance(v, np.ndarray):
        return f"an array of shape {v.shape}"
    if isinstance(v, tuple) and v and isinstance(v[0], str):
        return f"{v[1]} (not a tensor)"
    if isinstance(v, tuple):
        return f"a tuple of {len(v)}"
    return repr(v)


def check_error_inputs(t: Observation, m: Observation, ctx: Context) -> Verdict | None:
    """The corrupted calls derived from the example (error_inputs.py): the same exception class, with
    torch's wording where it is stable, or the same results where torch accepts the call.  Where torch
    refuses the example itself, only the class is compared (which of two errors a library names first is
    not part of torch's API)."""
    if not t.error_inputs and not m.error_inputs:
        return None
    theirs = dict(m.error_inputs)
    wording = "forward" not in t.errors
    problems = [f"{label}: {found}" for label, a in t.error_inputs
                if (found := bad_call_diff(a, theirs.get(label), ctx, t.numel, wording,
                                           _through_default_float(t.bad_calls.get(label))))]
    return _collect(problems)


def _through_default_float(call) -> bool:
    """Whether a corrupted call hands an integer or bool tensor to a float op: torch computes it in its default
    float dtype (float32), so even a float64 result carries float32's rounding from that step."""
    return call is not None and any(np.asarray(a.array).dtype.kind in "biu" for a in tensor_args(call))


def bad_call_diff(a, b, ctx: Context, length: int, wording: bool = True, single: bool = False) -> str | None:
    """What differs between torch's outcome ``a`` of one corrupted call and the library's ``b`` (``single``:
    values held to float32's tolerance at least, ``_through_default_float``)."""
    if a == NEGATIVE_SIZE:   # (torch's answer is no tensor a library can hold)
        return None
    if isinstance(a, Raised) and isinstance(b, Raised):
        return raise_diff(a, b) or (message_diff(a.message, b.message) if wording else None)
    if isinstance(a, Raised) or isinstance(b, Raised) or b is None:
        return f"torch {_outcome(a)}, mygrad {_outcome(b)}"
    (_, s_a, out_a), (_, s_b, out_b) = a, b
    if s_a != s_b:
        return f"returns {_structure(s_a)} in torch, {_structure(s_b)} in mygrad"
    if isinstance(out_a, Raised) or isinstance(out_b, Raised):
        return None if out_a == out_b else f"reading the outputs: torch {out_a!r}, mygrad {out_b!r}"
    for i, (x, y) in enumerate(zip(out_a, out_b)):
        if isinstance(x, TensorObs) != isinstance(y, TensorObs):
            return f"output {i}: torch {_kind(x)}, mygrad {_kind(y)}"
        if isinstance(x, TensorObs):
            if (x.dtype, x.shape) != (y.dtype, y.shape):
                return f"output {i}: torch {x.dtype} {x.shape}, mygrad {y.dtype} {y.shape}"
            found = compare_values(x.value, y.value, *ctx.tol("float32" if single and str(x.dtype) == "float64"
                                                               else str(x.dtype), length))
        elif isinstance(x[1], (bool, int, float)) or isinstance(y[1], (bool, int, float)):
            found = compare_values(x[1], y[1], *ctx.tol(ctx.dtype, length))
        else:
            found = None if type(x[1]).__name__ == type(y[1]).__name__ else {
                "what": f"torch a {type(x[1]).__name__}, mygrad a {type(y[1]).__name__}"}
        if found:
            return describe(f"output {i}", found)
    return None


def _outcome(v) -> str:
    if v is None:
        return "did not run it"
    if isinstance(v, Raised):
        return f"raised {v}"
    return f"returned {_structure(v[1])}"


def _first_bad_call(t: Observation, m: Observation) -> str | None:
    theirs = dict(m.error_inputs)
    ctx = Context("float64")
    wording = "forward" not in t.errors
    return next((label for label, a in t.error_inputs
                 if bad_call_diff(a, theirs.get(label), ctx, t.numel, wording)), None)


# ----- each check's part of the repro snippet ------------------------------------------------------
#
# A part gets a ``snippets.Repro`` (the inputs are already written out) and returns the lines that
# run the call and show what the check compares, so the program prints different things in torch
# and in the library under test.

def show_outputs(r: Repro) -> list[str]:
    return r.forward() if r.forward_raised else r.forward() + r.print_outputs()


def show_errors(r: Repro) -> list[str]:
    if r.forward_raised:
        return r.forward()
    return r.forward() + r.print_outputs() + (r.backward() if r.t.upstream else [])


def show_nodes(r: Repro) -> list[str]:
    return r.forward() if r.forward_raised else r.forward() + r.print_nodes()


def show_graph(r: Repro) -> list[str]:
    if r.forward_raised:
        return r.forward()
    return show_nodes(r) + [f"# torch's graph below output {i}: {render_graph(o.graph)}"
                            for i, o in enumerate(r.t.outputs) if getattr(o, "graph", None) is not None]


def show_saved(r: Repro) -> list[str]:
    if r.forward_raised or not r.t.upstream:
        return r.forward()
    show = ["def saved_values(outputs):  # every node's _saved_* values: a tensor, something else, or freed",
            "    stack, seen = [o.grad_fn for o in outputs if torch.is_tensor(o) and o.grad_fn is not None], set()",
            "    while stack:",
            "        node = stack.pop()",
            "        if node is None or id(node) in seen:",
            "            continue",
            "        seen.add(id(node))",
            "        stack.extend(child for child, _ in node.next_functions)",
            "        for attr in sorted(a for a in dir(node) if a.startswith('_saved_')):",
            "            try:",
            "                value = getattr(node, attr)",
            "                print(node.name(), attr, type(value).__name__)",
            "            except RuntimeError as error:",
            "                print(node.name(), attr, 'raises', type(error).__name__)"]
    return r.forward() + show + ["saved_values(outputs)"] + r.backward() + ["saved_values(outputs)"]


def show_grads(r: Repro) -> list[str]:
    if r.forward_raised or not r.t.upstream:
        return r.forward()
    return r.forward() + r.backward() + [f"for x in [{r.leaves}]:\n    print(x.grad)"]


def show_double(r: Repro) -> list[str]:
    if r.forward_raised or not r.t.upstream or r.t.first is None:
        return r.forward()
    wrt = ", ".join(n for a, n in zip(r.arrays, r.names) if a.requires_grad and np.asarray(a.array).dtype.kind == "f")
    ups = ", ".join(f"outputs[{i}]" for i, _ in r.t.upstream)
    weights = ", ".join("None" if w is None else tensor_literal(w) for w in r.t.weights or [])
    return r.forward() + [
        f"wrt = [{wrt}]",
        f"first = torch.autograd.grad([{ups}], wrt, [{r.upstream()}], create_graph=True, allow_unused=True)",
        "print([(g, g.requires_grad) if g is not None else None for g in first])",
        f"v = [{weights}]",
        "terms = [(g * w).sum() for g, w in zip(first, v) if w is not None]",
        "if terms:",
        f"    second = torch.autograd.grad(sum(terms[1:], terms[0]), wrt, allow_unused=True)  # {r.outcome('double')}",
        "    print(second)"]


def show_no_grad(r: Repro) -> list[str]:
    outs = "list(out)" if r.sequence else "[out]"
    return ["with torch.no_grad():", f"    out = {r.expression}  # {r.outcome('no_grad')}",
            f"for o in {outs}:", "    print(o.requires_grad, o.is_leaf, o.grad_fn)"]


def show_mutation(r: Repro) -> list[str]:
    if r.forward_raised:
        return r.forward()
    if r.t.upstream:
        return r.forward() + r.backward() + [f"print([{r.leaves}])\nprint(upstream)"]
    return r.forward() + [f"print([{r.leaves}])"]


def show_aliasing(r: Repro) -> list[str]:
    if r.forward_raised:
        return r.forward()
    if r.t.upstream:
        return r.forward() + r.backward() + [
            f"buffers = {{'upstream': [u.data_ptr() for u in upstream], "
            f"'grads': [x.grad.data_ptr() if x.grad is not None else None for x in [{r.leaves}]], "
            f"'inputs': [x.data_ptr() for x in [{r.leaves}]], "
            f"'outputs': [o.data_ptr() for o in outputs if torch.is_tensor(o)]}}\nprint(buffers)"]
    return r.forward() + [f"print([x.data_ptr() for x in [{r.leaves}]], "
                          "[o.data_ptr() for o in outputs if torch.is_tensor(o)])"]


def show_forward_ad(r: Repro) -> list[str]:
    if r.forward_raised or r.t.forward_ad is None:
        return r.forward()
    lines = ["import torch.autograd.forward_ad as fwAD", "with fwAD.dual_level():"]
    lines += [f"    {r.names[i]} = fwAD.make_dual({r.names[i]}.detach(), {tensor_literal(t)})"
              for i, t in r.t.forward_ad["inputs"].items()]
    lines += ["    try:"] + [f"        {line}" for line in r.forward()]
    lines += ["        print([fwAD.unpack_dual(o).tangent if torch.is_tensor(o) else None for o in outputs])",
              "    except Exception as error:  # (an op torch has no forward formula for)",
              "        print('raised', type(error).__name__, error)"]
    return lines


def show_functional(r: Repro) -> list[str]:
    from .transforms import differentiable_args
    if r.forward_raised or r.t.functional is None:
        return r.forward()
    params = ", ".join(r.names[i] for i in differentiable_args(r.example))
    lines = [f"def op({params}):", f"    out = {r.expression}",
             f"    return [o for o in {'list(out)' if r.sequence else '[out]'}",
             "            if torch.is_tensor(o) and o.is_floating_point()]",
             f"inputs = tuple(x.detach() for x in ({params},))",
             "try:",
             "    print(torch.autograd.functional.jacobian(lambda *xs: op(*xs)[0], inputs))",
             "except Exception as error:  # (torch's jacobian refuses an output of no elements)",
             "    print('jacobian raised', type(error).__name__, error)"]
    if "weights" in r.t.functional:
        lines += [f"w = [{', '.join(tensor_literal(w) for w in r.t.functional['weights'])}]",
                  "try:",
                  "    scalar = lambda *xs: sum((o * v).sum() for o, v in zip(op(*xs), w))",
                  "    print(torch.autograd.functional.hessian(scalar, inputs))",
                  "except Exception as error:",
                  "    print('hessian raised', type(error).__name__, error)"]
    return lines


def show_error_inputs(r: Repro) -> list[str]:
    label = _first_bad_call(r.t, r.m)
    bad = r.t.bad_calls.get(label) if label else None
    if bad is None:
        return r.forward()
    names = {id(a): n for a, n in zip(r.arrays, r.names)}
    lines = [f"# the call with {label}", "import numpy as np"]
    for k, a in enumerate(tensor_args(bad)):
        if id(a) not in names:
            names[id(a)] = f"bad{k}"
            grad = bool(a.requires_grad) and np.asarray(a.array).dtype.kind == "f"
            lines.append(f"bad{k} = {tensor_literal(a.array, grad)}")
    setup, expression = call_expression(r.case, bad, names)
    setup = [line for line in setup if line not in r.setup]   # (the call's definition is already above)
    mine = dict(r.m.error_inputs).get(label)
    theirs = dict(r.t.error_inputs).get(label)
    from .paired import tested
    return lines + setup + [f"out = {expression}  # torch: {_outcome(theirs)}; {tested()}: {_outcome(mine)}",
                            "print(out)"]


# ----- the list ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One check: its name (the report's column), what it compares (the README's table, the snippet's
    header), how (``compare(torch_obs, tested_obs, ctx) -> Verdict | None``), how a failing example
    is shown (``snippet(Repro) -> lines``), whether the behaviour suite observes it too, and whether a run
    checks it unless told which checks to run (``default``: off for a check whose rows do not all pass yet;
    ``--checks NAME`` runs it)."""
    name: str
    description: str
    compare: Callable[[Observation, Observation, Context], Verdict | None]
    snippet: Callable[[Repro], list[str]]
    behaviour: bool = False
    default: bool = True


ALL: tuple[Check, ...] = (
    Check("errors", "exceptions: torch raises <=> the library raises the same exception class "
          "(forward and backward)", check_errors, show_errors, behaviour=True),
    Check("shape", "output structure (tensor / tuple or list of n / Python scalar), shapes; an in-place call "
          "returns its tensor", check_shape, show_outputs),
    Check("dtype", "output dtypes", check_dtype, show_outputs),
    Check("value", "output values, within the tolerance", check_value, show_outputs, behaviour=True),
    Check("grad_fn", "`type(out.grad_fn).__name__` of every output", check_grad_fn, show_nodes, behaviour=True),
    Check("graph", "the `next_functions` tree below it, down to `AccumulateGrad` (and which input it accumulates "
          "into) or `None`", check_graph, show_graph),
    Check("saved", "`grad_fn._saved_*` values of every node below the outputs that both libraries expose: a tensor "
          "where torch's is, and freed by `backward` (reading raises) where torch's is", check_saved, show_saved),
    Check("flags", "`requires_grad` and `is_leaf` of every output (for every record: what torch does not make "
          "differentiable must not be)", check_flags, show_nodes, behaviour=True),
    Check("grad", "`.grad` of every input after `backward` with a random upstream gradient: None-ness, shape, "
          "dtype, values", check_grad, show_grads, behaviour=True),
    Check("double", "`create_graph=True`: first-order grads (values, `requires_grad`), then the grads of "
          "`sum(grad * v)` for random `v`", check_double, show_double),
    Check("no_grad", "the same call under `no_grad`: `requires_grad`, `is_leaf`, `grad_fn` of the outputs; "
          "same errors (for every record)", check_no_grad, show_no_grad),
    Check("mutation", "inputs hold what torch's hold afterwards; the upstream gradient is not modified",
          check_mutation, show_mutation),
    Check("aliasing", "gradients share no memory with each other, the upstream gradient or the inputs (beyond "
          "what torch's do); outputs are views of inputs exactly where torch's are", check_aliasing, show_aliasing),
    Check("forward_ad", "forward-mode AD (`forward_ad.make_dual`/`unpack_dual`, random tangents on the inputs that "
          "require grad): every output's tangent, or torch's exception class where torch has no forward formula",
          check_forward_ad, show_forward_ad),
    Check("functional", "`autograd.functional.jacobian` of the first floating output and `hessian` of "
          "`sum(out * w)` (random `w`), on small examples of the record's first call form", check_functional,
          show_functional),
    Check("error_inputs", "bad arguments derived from each example (a str, None, a list, a NumPy array, a number or "
          "an int/bool/empty/0-d/mismatched tensor for a tensor; dims out of range, negative sizes, wrong types for "
          "the others; conformance/error_inputs.py) and a record's own: the same exception class and, where torch's "
          "message is stable, its wording; or the same results (the rows in conformance/error_inputs_pending.py "
          "still differ and run it only when asked: `--checks error_inputs`)", check_error_inputs, show_error_inputs),
)

BY_NAME: dict[str, Check] = {c.name: c for c in ALL}
CHECKS: tuple[str, ...] = tuple(BY_NAME)
DEFAULT_CHECKS: tuple[str, ...] = tuple(c.name for c in ALL if c.default)   # what a run checks unless told
DESCRIPTIONS: dict[str, str] = {c.name: c.description for c in ALL}
COMPARE: dict[str, Callable] = {c.name: c.compare for c in ALL}
BEHAVIOUR: tuple[str, ...] = tuple(c.name for c in ALL if c.behaviour)


def compare(t: Observation, m: Observation, ctx: Context, only: tuple | None = None) -> dict[str, Verdict | None]:
    """Every default check's verdict on one pair of observations (None: does not apply); ``only``: these checks."""
    return {c.name: c.compare(t, m, ctx) for c in ALL if (c.default if only is None else c.name in only)}


def select(names) -> tuple[str, ...]:
    """The check names to run, validated (``--checks``); the default ones when ``names`` is empty."""
    if not names:
        return DEFAULT_CHECKS
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise KeyError(f"unknown check(s) {unknown}; the checks are {', '.join(CHECKS)}")
    return tuple(n for n in CHECKS if n in set(names))


def readme_table() -> str:
    """The README's check table (``python -m conformance.oplist --write`` keeps it in step)."""
    rows = ["| check | compares torch's and the library's ... |", "|---|---|"]
    rows += [f"| `{c.name}` | {c.description}{' (also in the behaviour suite)' if c.behaviour else ''} |"
             for c in ALL]
    return "\n".join(rows)
