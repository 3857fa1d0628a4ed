"""Inference mode's finer points (issue 10), each scenario run in torch and in mygrad and compared
(paired.py): views made in inference mode of normal tensors (torch's INFERENCE_MODE creation meta and its
errors after an in-place edit in normal mode), views of inference tensors (no view relation, no version
counter), ``detach`` of an inference tensor, and ops on inference tensors alone outside inference mode
(nothing recorded, and the versions torch's kernels leave on their outputs)."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def flags(see, label: str, x) -> None:
    """Every flag a user reads, each on its own (torch raises on some of them)."""
    see.call(f"{label}.requires_grad", lambda: x.requires_grad)
    see.call(f"{label}.is_leaf", lambda: x.is_leaf)
    see.call(f"{label}.grad_fn", lambda: x.grad_fn)
    see.call(f"{label}._version", lambda: x._version)
    see.call(f"{label}.is_inference()", lambda: x.is_inference())
    see.call(f"{label}._base is None", lambda: x._base is None)


@scenario
def view_made_in_inference_mode_then_base_edited_and_requires_grad(t, see):
    b = t.tensor([1.0, 2.0, 3.0], dtype=t.float64)
    with t.inference_mode():
        v, r = b[1:], b.reshape(-1)
    flags(see, "v", v)
    see.call("v.mul_ in normal mode", lambda: v.mul_(2))
    see.call("b.add_", lambda: b.add_(1))
    flags(see, "v edited", v)
    b.requires_grad_()
    flags(see, "v after base requires grad", v)
    flags(see, "r after base requires grad", r)
    see.call("v * 2", lambda: v * 2)


@scenario
def view_made_in_inference_mode_of_a_tensor_that_requires_grad(t, see):
    b = t.tensor([1.0, 2.0, 3.0, 4.0], dtype=t.float64, requires_grad=True)
    with t.inference_mode():
        v = b[1:]
    flags(see, "v", v)
    see.call("v * 2", lambda: (v * 2).grad_fn)
    w = v[1:]   # a view of it made in normal mode inherits how it was made
    flags(see, "w", w)
    see.call("w.mul_", lambda: w.mul_(2))
    see.call("v.mul_", lambda: v.mul_(2))
    with t.no_grad():
        v.mul_(2)
    flags(see, "v after an edit under no_grad", v)
    flags(see, "w after an edit under no_grad", w)


@scenario
def view_edited_inside_inference_mode_raises_once_its_base_requires_grad(t, see):
    b = t.tensor([1.0, 2.0, 3.0], dtype=t.float64)
    with t.inference_mode():
        v = b[1:]
        v.mul_(2)
        see("versions inside", (v._version, b._version))
    flags(see, "v", v)
    b.requires_grad_()
    flags(see, "v after", v)
    see.call("backward through v", lambda: (v * 2).sum().backward())
    see.call("b.grad", lambda: b.grad)


@scenario
def view_of_a_view_made_in_no_grad_names_its_node(t, see):
    """A view made in normal mode of a no_grad view: torch's message names the node of the view of a view."""
    b = t.tensor([1.0, 2.0, 3.0, 4.0], dtype=t.float64)
    with t.no_grad():
        v = b[1:]
    v.requires_grad_()
    w = v[1:]
    flags(see, "w", w)
    see.call("w.mul_", lambda: w.mul_(2))
    see.call("b.mul_", lambda: b.mul_(2))
    flags(see, "w after", w)
    flags(see, "v after", v)


@scenario
def views_of_inference_tensors_are_not_views(t, see):
    with t.inference_mode():
        b = t.tensor([1.0, 2.0, 3.0], dtype=t.float64)
        inside = b.reshape(-1)
        b.requires_grad_()
        also = b[1:]
        flags(see, "view inside", inside)
        flags(see, "view inside of one that requires grad", also)
        inside.mul_(2)
    v = b[1:]
    for name, x in (("inside", inside), ("also", also), ("outside", v), ("t", b.t()), ("unsqueeze", b.unsqueeze(0))):
        flags(see, name, x)
    see.call("v.mul_ outside", lambda: v.mul_(2))
    see.call("split", lambda: [(x.requires_grad, x._base is None, x.is_inference()) for x in b.split(2)])


@scenario
def detach_of_an_inference_tensor(t, see):
    with t.inference_mode():
        b = t.tensor([1.0, 2.0, 3.0], dtype=t.float64)
        inside = b.detach()
    d = b.detach()
    flags(see, "inside", inside)
    flags(see, "d", d)
    see.call("d.mul_ outside", lambda: d.mul_(2))
    see("b", b)
    flags(see, "d edited", d)
    flags(see, "d.detach()", d.detach())
    flags(see, "d[1:]", d[1:])
    x = t.ones(3, dtype=t.float64, requires_grad=True)
    see.call("d * x", lambda: d * x)
    see.call("d + x", lambda: (d + x).grad_fn)
    with t.inference_mode():
        see.call("d.add_ inside", lambda: d.add_(1))
        see.call("d._version inside", lambda: d._version)
        see.call("d.detach() inside", lambda: d.detach()._version)
    see.call("d.requires_grad_ outside", lambda: d.requires_grad_())
    see.call("d._version after", lambda: d._version)


OPS = ["-a", "a.exp()", "a.sum()", "a.mean()", "a.sum(0)", "a.sum(-1, keepdim=True)", "a.mean(0)", "a.clamp(-0.5, 0.5)",
       "a.clone()", "a.pow(2)", "a.tanh()", "a * 2", "2 * a", "a + 2", "2 - a", "a / 2", "2 / a", "a - 3", "a + b",
       "a * b", "a + a", "a.round()", "torch.where(a > 0, a, b)", "torch.where(c, a, a)", "a.abs()", "a.prod()",
       "a.max()", "a.amax(0)", "a.min()", "a.amin(0)", "a.prod(0)", "a.var()", "a.std()", "a.float()",
       "a.t().contiguous()", "a.exp().sum()",
       "(a * 2).sum()"]


def _ops_on_inference_tensors(t, see, requires_grad: bool):
    with t.inference_mode():
        a = t.tensor([[1.0, -2.0, 3.0], [0.5, 5.0, -6.0]], dtype=t.float64)
        b = t.ones(2, 3, dtype=t.float64)
        c = t.ones(2, 3, dtype=t.bool)
        if requires_grad:
            a.requires_grad_()
    for code in OPS:
        def run(code=code):
            r = eval(code, {"torch": t, "a": a, "b": b, "c": c})
            return r, r._version, r.is_inference(), r.grad_fn and [type(n).__name__ if n else None
                                                                   for n, _ in r.grad_fn.next_functions]
        see.call(code, run)
    with t.no_grad():
        see.call("a.sum() under no_grad", lambda: a.sum()._version)
    if requires_grad:
        see.call("backward", lambda: (a * 2).sum().backward())
        see.call("a.grad", lambda: a.grad)


@scenario
def ops_on_inference_tensors_outside_inference_mode(t, see):
    _ops_on_inference_tensors(t, see, False)


@scenario
def ops_on_inference_tensors_that_require_grad_outside_inference_mode(t, see):
    _ops_on_inference_tensors(t, see, True)


@scenario
def grad_results_viewing_an_inference_grad_output_are_no_views(t, see):
    """autograd.grad inside inference mode with an inference grad_output: a gradient a formula only viewed
    (reshape's) is a view of an inference tensor, so no view: it keeps its own flags."""
    x = t.tensor(0.0, dtype=t.float64, requires_grad=True)
    y = x.reshape(-1)
    with t.inference_mode():
        go = t.tensor([1.5], dtype=t.float64)
        gx, gy = t.autograd.grad(y, [x, y], go, retain_graph=True)
        see("one tensor", (gy is go, gx is go))
        gy.requires_grad_(True)
        flags(see, "gx", gx)
        flags(see, "gy", gy)
    flags(see, "gx outside", gx)
