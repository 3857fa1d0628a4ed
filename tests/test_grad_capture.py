"""autograd.grad and backward(inputs=...): only the part of the graph that leads to the inputs runs
(torch's exec_info), so hooks and retain_grad elsewhere see nothing; an input given twice gets one
gradient tensor; torch's checks on allow_unused/materialize_grads.  Compared with torch (paired.py)."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def _items(grads) -> list:
    return [None if g is None else g.item() for g in grads]


def _graph(t, calls):
    t0 = t.tensor(1.5, dtype=t.float64, requires_grad=True)
    t1 = t0 * 2
    t1.retain_grad()
    t2 = (t1 * t1).sum()
    t1.register_hook(lambda g: calls.append(("t1 hook", g.item())))
    t2.register_hook(lambda g: calls.append(("t2 hook", g.item())))
    t2.grad_fn.register_prehook(lambda g: calls.append(("t2 pre", _items(g))))
    t1.grad_fn.register_prehook(lambda g: calls.append(("t1 pre", _items(g))))
    t1.grad_fn.register_hook(lambda gi, go: calls.append(("t1 post", _items(gi), _items(go))))
    return t0, t1, t2


@scenario
def grad_runs_only_what_leads_to_its_inputs(t, see):
    calls = []
    t0, t1, t2 = _graph(t, calls)
    see("grad wrt t2", t.autograd.grad((t2 * t2 * t2).sum(), t2, create_graph=True))
    see("calls", list(calls))
    see.call("t1.grad untouched", lambda: t1.grad)
    calls.clear()
    see("grad wrt t1", t.autograd.grad(t2 * 3, t1, retain_graph=True))
    see("calls (t1's own node does not run)", list(calls))
    calls.clear()
    see("grad wrt t0 and t1", t.autograd.grad(t2 * 3, [t0, t1], retain_graph=True))
    see("calls all", list(calls))
    see("t1.grad after", t1.grad)
    see("t0.grad after", t0.grad)


@scenario
def backward_with_inputs_retains_a_non_leaf_input(t, see):
    calls = []
    t0, t1, t2 = _graph(t, calls)
    y = t1 * t1
    y.backward(inputs=[t1], retain_graph=True)
    see("after inputs=[t1]", (t1.retains_grad, t1.grad, t0.grad))
    see("calls", list(calls))
    calls.clear()
    y.backward(retain_graph=True)
    see("after a full backward", (t1.grad, t0.grad))
    y.backward(inputs=[t1, t0], retain_graph=True)
    see("after inputs=[t1, t0]", (t1.grad, t0.grad))
    u = t0 * 3
    (u * u).backward(inputs=[u])
    see("a new non-leaf input retains", (u.retains_grad, u.grad))


@scenario
def an_input_given_twice_gets_one_tensor(t, see):
    t0 = t.tensor(1.5, dtype=t.float64, requires_grad=True)
    a, b = t.autograd.grad((t0 * t0).sum(), [t0, t0], retain_graph=True)
    see("same object", a is b)
    x = t0 * 2
    a, b, c = t.autograd.grad((x * x).sum(), [x, t0, x])
    see("same object, non-leaf", (a is c, a is b))
    w = t.ones(2, requires_grad=True)
    u = t.ones(2, requires_grad=True)
    a, b = t.autograd.grad(w.sum(), [w, w], create_graph=True)
    see("create_graph", (a is b, a.requires_grad))
    a, b = t.autograd.grad(w.sum(), [u, u], materialize_grads=True)
    see("materialized zeros are separate", (a is b, a, b))


@scenario
def materialize_grads_needs_allow_unused(t, see):
    w = t.ones(2, requires_grad=True)
    u = t.ones(2, requires_grad=True)
    for allow in (None, True, False):
        see.call(f"allow_unused={allow}",
                 lambda: t.autograd.grad((w * 2).sum(), [w, u], allow_unused=allow, materialize_grads=True))
    see.call("unused without allow_unused", lambda: t.autograd.grad((w * 2).sum(), [w, u]))
    see.call("unused allowed", lambda: t.autograd.grad((w * 2).sum(), [w, u], allow_unused=True))


@scenario
def where_frees_its_condition_after_backward(t, see):
    """torch saves where's condition as a tensor: a second backward through the freed node raises."""
    t0 = t.tensor(0.875, dtype=t.float64, requires_grad=True)
    t3 = t.where(t0.ne(t0), t0, t0)
    first, second = t3.tanh(), t3.tanh()
    first.sum().backward()
    see.call("backward through the freed where", lambda: second.backward())
    a = t.tensor([0.875, -1.0], dtype=t.float64, requires_grad=True)
    w = t.where(a > 0, a, 2 * a)
    w.sum().backward(retain_graph=True)
    w.sum().backward()
    see("retained twice", a.grad)
    see.call("a third time", lambda: w.sum().backward())


@scenario
def a_sum_gradient_is_an_expanded_view_made_without_grad_mode(t, see):
    """torch's captured gradient of sum is its expand of the given gradient: a view made under no_grad."""
    t0 = t.tensor(1.5, dtype=t.float64, requires_grad=True)
    t2, t3 = t.autograd.grad(t0.sum(), [t0, t0], retain_graph=True)
    t4 = t3.transpose(0, -1)
    t3.requires_grad_(True)
    see("a view of it does not follow its own flag", (t4.requires_grad, t3.requires_grad, t3.is_leaf))
    see.call("zero_ in grad mode", lambda: t3.zero_())
    w = t.ones(2, 3, requires_grad=True)
    for name, edit in (("zero_", lambda g: g.zero_()), ("fill_", lambda g: g.fill_(2.0)),
                       ("add_", lambda g: g.add_(1.0))):
        g, = t.autograd.grad(w.sum(), w)
        see(f"stride of {name}'s grad", (g.stride(), g._base is not None))
        see.call(f"{name} on it", lambda g=g, edit=edit: edit(g))
    b = t.ones(3)
    for name, edit in (("zero_", lambda v: v.zero_()), ("fill_", lambda v: v.fill_(2.0)),
                       ("add_", lambda v: v.add_(1.0))):
        see.call(f"{name} on an expanded view", lambda edit=edit: edit(b.expand(2, 3)))
        see(f"its base after {name}", b)


@scenario
def a_lone_root_sees_its_gradient_even_when_nothing_below_is_wanted(t, see):
    """torch evaluates the node of a single root even when no input lies below it: its tensor hooks and
    retain_grad see the gradient, its node hooks and the node itself do not run (with two roots, nothing)."""
    calls = []
    a = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    b = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    go = t.ones(2, dtype=t.float64)
    a.register_hook(lambda g: calls.append(("a hook", g.tolist())))
    a.register_post_accumulate_grad_hook(lambda x: calls.append(("a post-accumulate", None)))
    see("a leaf root", t.autograd.grad(a, [b], go, allow_unused=True))
    see("a leaf root: calls", (list(calls), a.grad))
    calls.clear()
    c = a * 2
    c.retain_grad()
    c.register_hook(lambda g: calls.append(("c hook", g.tolist())))
    c.grad_fn.register_prehook(lambda g: calls.append(("c pre", None)))
    c.grad_fn.register_hook(lambda gi, go: calls.append(("c post", None)))
    see("a non-leaf root", t.autograd.grad(c, [b], go, allow_unused=True, retain_graph=True))
    see.call("a non-leaf root: calls", lambda: (list(calls), c.grad, a.grad))
    calls.clear()
    see("two roots", t.autograd.grad([c, a], [b], [go, go], allow_unused=True, retain_graph=True))
    see("two roots: calls", list(calls))
    calls.clear()
    a.backward(go, inputs=[b])
    see("backward(inputs=) from a leaf", (list(calls), a.grad, b.grad))
