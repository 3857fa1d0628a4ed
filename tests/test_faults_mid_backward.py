"""A hook that raises in the middle of a backward (an exception, or KeyboardInterrupt) leaves both libraries
in the same state: the same .grad values accumulated so far, grad mode and NumPy's error state restored, the
graph still usable with retain_graph=True, and the next backward correct (see paired.py)."""
from __future__ import annotations

import numpy as np

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


class Boom(Exception):
    pass


def _raise_once(exc_type):
    """A hook that raises the first time it runs and passes the gradient through afterwards."""
    state = {"raised": False}

    def hook(*args):
        if not state["raised"]:
            state["raised"] = True
            raise exc_type("hook failed")
        return None
    return hook


def _graph(t):
    """Two leaves, a shared intermediate and two branches: a diamond with a leaf on each side."""
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = t.tensor([3.0, 4.0], requires_grad=True)
    h = a * b
    out = (h.exp() + h * a).sum()
    return a, b, h, out


def _after(t, see, label, a, b, out):
    see(label + " a.grad", a.grad)
    see(label + " b.grad", b.grad)
    see(label + " grad mode", t.is_grad_enabled())
    see(label + " numpy error state", np.geterr())
    see.call(label + " backward again", lambda: out.backward())
    see(label + " a.grad after", a.grad)
    see(label + " b.grad after", b.grad)


@scenario
def tensor_hook_on_an_intermediate_raises(t, see):
    for exc in (Boom, KeyboardInterrupt):
        a, b, h, out = _graph(t)
        h.register_hook(_raise_once(exc))
        try:
            out.backward(retain_graph=True)
        except exc:
            see(f"{exc.__name__} raised", True)
        _after(t, see, exc.__name__, a, b, out)


@scenario
def tensor_hook_on_a_leaf_raises(t, see):
    a, b, h, out = _graph(t)
    b.register_hook(_raise_once(Boom))
    try:
        out.backward(retain_graph=True)
    except Boom:
        see("raised", True)
    _after(t, see, "leaf hook", a, b, out)


@scenario
def node_hooks_raise(t, see):
    for kind in ("register_prehook", "register_hook"):
        a, b, h, out = _graph(t)
        getattr(h.grad_fn, kind)(_raise_once(Boom))
        try:
            out.backward(retain_graph=True)
        except Boom:
            see(kind + " raised", True)
        _after(t, see, kind, a, b, out)


@scenario
def raising_inside_no_grad_and_create_graph(t, see):
    a, b, h, out = _graph(t)
    h.register_hook(_raise_once(Boom))
    with t.no_grad():
        try:
            out.backward(retain_graph=True, create_graph=True)
        except Boom:
            see("raised", True)
        see("still no grad", t.is_grad_enabled())
    see("grad mode back", t.is_grad_enabled())
    see.call("autograd.grad after", lambda: t.autograd.grad(out, (a, b), retain_graph=True))


@scenario
def hook_changing_the_error_state_and_raising(t, see):
    a, b, h, out = _graph(t)

    def hook(g):
        np.seterr(all="ignore")  # the program's own change, made inside the hook
        raise Boom("after changing the error state")
    h.register_hook(hook)
    previous = np.seterr(all="warn")
    try:
        out.backward(retain_graph=True)
    except Boom:
        see("raised", True)
    finally:
        see("error state after", np.geterr())
        np.seterr(**previous)


@scenario
def a_node_without_derivative_raises_before_other_branches_accumulate(t, see):
    """torch's NotImplemented node (an op with no derivative) runs as soon as it is ready, whatever its
    position in the graph: a backward through it raises before another branch reaches its leaf, even one
    made later (found by the randomized programs: heaviside next to a product)."""
    for order in ("no-derivative op first", "no-derivative op last"):
        x = t.tensor([[0.0, 1.0]], dtype=t.float64)
        w = t.tensor([[1.0, 2.0]], dtype=t.float64, requires_grad=True)
        a = t.tensor([[1.0, 2.0]], requires_grad=True)
        if order == "no-derivative op first":
            h = t.heaviside(x, w)
            p = a * 2
        else:
            p = a * 2
            h = t.heaviside(x, w)
        see.call(f"{order}: backward", lambda: t.autograd.backward([p.sum(), (h * 2).sum()], retain_graph=True))
        see(f"{order}: a.grad", a.grad)
        see(f"{order}: w.grad", w.grad)
        see.call(f"{order}: the other branch alone", lambda: p.sum().backward())
        see(f"{order}: a.grad after", a.grad)


@scenario
def a_cell_backward_failing_midway_has_accumulated_what_torch_has(t, see):
    """RNN and LSTM cells project the hidden state before the input, as torch's do: a backward that fails
    at the hidden projection (its saved state edited in place) has already accumulated the input weights'."""
    t.manual_seed(0)
    for cell in (t.nn.RNNCell(3, 2), t.nn.LSTMCell(3, 2), t.nn.GRUCell(3, 2)):
        label = type(cell).__name__
        x, h0 = t.ones(4, 3), t.ones(4, 2, requires_grad=True)
        out = cell(x, (h0, t.zeros(4, 2)) if label == "LSTMCell" else h0)
        with t.no_grad():
            h0.mul_(2)
        see.call(label + " backward", lambda out=out: (out[0] if isinstance(out, tuple) else out).sum().backward())
        for name, p in cell.named_parameters():
            see(f"{label} {name}.grad is None", p.grad is None)


@scenario
def a_log_prob_backward_failing_midway_has_accumulated_what_torch_has(t, see):
    """Normal.log_prob makes log(scale) before the quotient, as torch's: a backward that fails at the scale's
    power (the scale edited in place) has already accumulated the mean's gradient."""
    weights = t.tensor([0.5, 1.0], requires_grad=True)
    scale = weights.sum() * 1
    mean = t.tensor([[1e-3]], requires_grad=True)
    log_prob = t.distributions.Normal(mean, scale).log_prob(t.zeros(1, 1))
    with t.no_grad():
        scale.mul_(2)
    see.call("backward", lambda: log_prob.sum().backward())
    see("mean.grad", mean.grad)
    see("weights.grad", weights.grad)
