"""Views of tensors that did not require grad, made to require grad afterwards (issue 18), and their
siblings: is_leaf and .grad of such views, requires_grad_ after in-place edits, views of detached
tensors and no_grad views.  Every scenario runs in torch and in mygrad and is compared (paired.py)."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def state(see, label: str, **tensors) -> None:
    """What a user sees of each tensor: value, flags, grad_fn name (see.call: torch warns on non-leaf .grad)."""
    for name, x in tensors.items():
        see(f"{label}: {name}", x)
        see.call(f"{label}: {name}.grad", lambda x=x: x.grad)


@scenario
def view_of_plain_tensor_given_requires_grad_gets_grad(t, see):
    x = t.zeros(4).reshape(2, 2).requires_grad_()
    state(see, "made", x=x)
    (x * 2).sum().backward()
    state(see, "after backward", x=x)
    x.sum().backward()
    state(see, "accumulated", x=x)


@scenario
def leaf_view_keeps_its_grad_when_the_base_requires_grad_later(t, see):
    b = t.zeros(4)
    x = b.reshape(2, 2).requires_grad_()
    b.requires_grad_()
    (x * 2).sum().backward()
    state(see, "after", b=b, x=x)


@scenario
def view_made_before_an_edit_then_base_requires_grad_is_not_a_leaf(t, see):
    t1 = t.zeros(4)
    t2 = t1.reshape(-1)
    t2.mul_(0.5)
    t1.requires_grad_(True)
    state(see, "after requires_grad_", t1=t1, t2=t2)
    see("t2 graph", None if t2.grad_fn is None else [type(n).__name__ for n, _ in t2.grad_fn.next_functions])


@scenario
def edit_through_a_detached_alias_is_seen_by_the_view(t, see):
    t1 = t.tensor(1.5, dtype=t.float64)
    t5 = t1.reshape(-1)
    t8 = t5.detach().detach()
    state(see, "before", t5=t5)
    t8.mul_(0.5)
    state(see, "edited", t5=t5)     # reading the view's flags before its base requires grad ...
    t1.requires_grad_(True)
    state(see, "after", t1=t1, t5=t5)   # ... must not hide the edit from it afterwards


@scenario
def view_made_before_requires_grad_without_edit_stays_a_leaf_without_edge(t, see):
    t1 = t.zeros(4)
    t2 = t1.reshape(-1)
    t1.requires_grad_(True)
    state(see, "after requires_grad_", t2=t2)
    (t2 * 2).sum().backward()
    state(see, "after backward", t1=t1, t2=t2)


@scenario
def leaf_view_regenerated_after_base_edit_and_requires_grad(t, see):
    b = t.zeros(4)
    x = b.reshape(2, 2).requires_grad_()
    with t.no_grad():
        b.add_(1)
    state(see, "edited", b=b, x=x)
    b.requires_grad_()
    state(see, "base requires grad", b=b, x=x)
    (x * 2).sum().backward()
    state(see, "after backward", b=b, x=x)


@scenario
def slice_view_given_requires_grad_then_base_then_edit(t, see):
    b = t.zeros(4)
    x = b[1:3].requires_grad_()
    b.requires_grad_()
    state(see, "made", b=b, x=x)
    with t.no_grad():
        x.add_(1)
    state(see, "edited", b=b, x=x)
    (x * 2).sum().backward()
    state(see, "after backward", b=b, x=x)


@scenario
def no_grad_view_given_requires_grad_gets_its_own_grad(t, see):
    w = t.ones(4, requires_grad=True)
    with t.no_grad():
        v = w[:2]
    state(see, "no_grad view", v=v)
    v.requires_grad_()
    (v * 2).sum().backward()
    state(see, "after backward", w=w, v=v)
    v.requires_grad_(False)
    state(see, "own flag off, base's on", v=v)


@scenario
def no_grad_view_own_flag_off_still_requires_grad_through_its_base(t, see):
    w = t.ones(4, requires_grad=True)
    with t.no_grad():
        v = w[:2]
    v.requires_grad_(False)
    state(see, "own flag off", w=w, v=v)
    see.call("backward", lambda: (v * 2).sum().backward())
    state(see, "after backward", w=w, v=v)


@scenario
def no_grad_view_of_plain_tensor_given_requires_grad(t, see):
    b = t.zeros(3)
    with t.no_grad():
        v = b[1:]
    v.requires_grad_()
    state(see, "made", v=v)
    (v * 3).sum().backward()
    state(see, "after backward", b=b, v=v)


@scenario
def requires_grad_flag_toggled_on_a_view(t, see):
    b = t.zeros(3)
    v = b.unsqueeze(0)
    v.requires_grad_()
    v.requires_grad_(False)
    state(see, "off again", b=b, v=v)
    v.requires_grad = True
    state(see, "on by attribute", v=v)
    b.requires_grad = True
    see.call("own flag off while the base requires grad", lambda: v.requires_grad_(False))
    state(see, "after", b=b, v=v)


@scenario
def in_place_on_a_leaf_view_names_the_view(t, see):
    b = t.zeros(2, 3)
    x = b.t()
    x.requires_grad_()
    see.call("x.mul_ in grad mode", lambda: x.mul_(2))
    with t.no_grad():
        x.mul_(2)
    state(see, "edited under no_grad", b=b, x=x)
    z = x[0:1]
    see.call("z.mul_ in grad mode (a view of a view of a leaf)", lambda: z.mul_(2))
    state(see, "view of the leaf view", z=z)


@scenario
def view_of_a_leaf_view_is_rederived_with_an_empty_edge(t, see):
    b = t.zeros(2, 3)
    x = b.t()
    x.requires_grad_()
    z = x[0:1]
    see("z edges", [type(n).__name__ for n, _ in z.grad_fn.next_functions])
    with t.no_grad():
        b.add_(1)
    state(see, "base edited", z=z)
    see("z edges now", [None if n is None else type(n).__name__ for n, _ in z.grad_fn.next_functions])
    (z * 2).sum().backward()
    state(see, "after backward", b=b, x=x, z=z)


@scenario
def view_of_a_detached_tensor_given_requires_grad(t, see):
    t1 = t.zeros(4)
    t3 = t1.detach().reshape(2, 2).requires_grad_()
    (t3 * 3).sum().backward()
    state(see, "after backward", t1=t1, t3=t3)
    state(see, "detached again", d=t3.detach(), data=t3.data)


@scenario
def edit_then_base_requires_grad_flows_to_the_base(t, see):
    b = t.zeros(4)
    v = b[1:]
    v.add_(1)
    b.requires_grad_()
    state(see, "after requires_grad_", b=b, v=v)
    (v * 2).sum().backward()
    state(see, "after backward", b=b, v=v)
    state(see, "a new view", v2=b[:2])


@scenario
def hooks_and_retain_grad_on_a_leaf_view_across_regeneration(t, see):
    b = t.zeros(4)
    v = b[1:].requires_grad_()
    calls = []
    v.register_hook(lambda g: calls.append(g.tolist()))
    (v * 2).sum().backward(retain_graph=True)
    see("hook calls", list(calls))
    see.call("retain_grad on the leaf view", lambda: v.retain_grad())
    see("retains_grad", v.retains_grad)
    b.requires_grad_()
    with t.no_grad():
        b.mul_(2)
    state(see, "regenerated", b=b, v=v)
    (v * 2).sum().backward()
    state(see, "after backward", b=b, v=v)
    see("hook calls after", list(calls))


@scenario
def non_contiguous_views_given_requires_grad(t, see):
    b = t.arange(6.0).reshape(2, 3)
    for name, make in (("t", lambda: b.t()), ("transpose", lambda: b.transpose(0, 1)),
                       ("stepped slice", lambda: b[:, ::2]), ("expand", lambda: b[:1].expand(3, 3)),
                       ("permute", lambda: b.permute(1, 0)), ("select", lambda: b[1])):
        v = make().requires_grad_()
        (v * v).sum().backward()
        state(see, name, v=v)
    state(see, "base untouched", b=b)


@scenario
def retain_grad_of_a_stale_no_grad_view_judges_the_recorded_history(t, see):
    for grad_mode in (False, True):
        base = t.ones(3)
        with t.no_grad():
            view = base[1:]
            base.add_(0.25)
        view.requires_grad_()
        base.requires_grad_()
        with t.set_grad_enabled(grad_mode):
            see.call(f"retain_grad (grad mode {grad_mode})", lambda: view.retain_grad())
            see.call("is_leaf", lambda: view.is_leaf)
            see("retains_grad", view.retains_grad)


@scenario
def retained_grad_follows_the_base_through_an_edit_of_its_view(t, see):
    """An in-place edit through a view rebases the base's history (CopySlices); its retain_grad moves
    with it, so a gradient reaching the base's old node (a graph built before the edit) is not retained."""
    x = t.tensor(1.5, dtype=t.float64, requires_grad=True)
    base = x * 2
    base.retain_grad()
    before = base * 3
    view = base.unsqueeze(0)
    view.mul_(0.5)
    see("history", base.grad_fn)
    before.backward(retain_graph=True)
    state(see, "through the old node", base=base, x=x)
    see.call("through the new node", lambda: (base * 1).sum().backward())
    state(see, "after it", base=base, x=x)


@scenario
def a_leaf_view_re_derived_from_its_base_is_no_leaf_for_an_older_graph(t, see):
    """A view given requires_grad_ is a leaf in the graphs made from it; once its base (edited since)
    requires grad it is re-derived, and a backward through an older graph refuses to accumulate into it."""
    base = t.tensor([1.5, 0.625, 0.0], dtype=t.float64)
    view = base.reshape(-1)
    with t.no_grad():
        base.add_(0.25)
    view.requires_grad_()
    y = view * 2
    base.requires_grad_(True)
    see.call("backward through the older graph", lambda: y.sum().backward(retain_graph=True))
    state(see, "after", base=base, view=view)


@scenario
def hooks_registered_later_join_the_tensors_first_set(t, see):
    """torch's tensor keeps one set of hooks, given to its grad_fn at the first register_hook: later ones
    join it without reading grad_fn (no error from a stale inference-mode view, none given to a re-derived
    view's new node); an in-place op or a re-derived view starts a new set on the new node."""
    calls = []
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: calls.append(("y first", g.tolist())))
    y.mul_(3)
    y.register_hook(lambda g: calls.append(("y after mul_", g.tolist())))
    y.sum().backward()
    see("in-place op", list(calls))
    calls.clear()
    b = t.zeros(3)
    v = b.reshape(-1)
    with t.no_grad():
        b.add_(1)
    v.requires_grad_()
    v.register_hook(lambda g: calls.append(("v as a leaf", g.tolist())))
    b.requires_grad_()
    v.register_hook(lambda g: calls.append(("v later", g.tolist())))
    (v * 2).sum().backward()
    see("re-derived view", (list(calls), v.grad_fn))
    calls.clear()
    w = t.tensor(1.5, dtype=t.float64, requires_grad=True)
    with t.inference_mode():
        u = w.unsqueeze(0)
        u.register_hook(lambda g: calls.append(("u", g.tolist())))
        with t.no_grad():
            u.mul_(0.5)
        see.call("a second hook on an edited inference-mode view", lambda: u.register_hook(lambda g: None) and None)
    with t.inference_mode():
        u2 = w.unsqueeze(0)
        with t.no_grad():
            u2.mul_(0.5)
        see.call("a first hook after the edit", lambda: u2.register_hook(lambda g: None) and None)
        see.call("a second one", lambda: u2.register_hook(lambda g: None) and None)
    see.call("its grad_fn outside", lambda: u.grad_fn)
