"""Engine core semantics, each scenario run in torch and in mygrad and compared (see paired.py)."""
from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
import torch

import mygrad
from paired import check, graph_tree, scenario_suite

scenario, test_matches_torch = scenario_suite()


# ----- creation, dtypes, promotion -----------------------------------------------------------

@scenario
def creation(t, see):
    see("tensor float", t.tensor([1.0, 2.5]))
    see("tensor int", t.tensor([[1, 2], [3, 4]]))
    see("tensor bool", t.tensor([True, False]))
    see("tensor mixed", t.tensor([1, 2.5, True]))
    see("tensor scalar", t.tensor(3))
    see("tensor numpy f64 keeps dtype", t.tensor(np.array([1.0, 2.0])))
    see("tensor dtype", t.tensor([1, 2], dtype=t.float64))
    see("tensor requires_grad", t.tensor([1.0], requires_grad=True))
    see.call("tensor int requires_grad", lambda: t.tensor([1, 2], requires_grad=True))
    see("ones", t.ones(2, 3))
    see("ones tuple", t.ones((2, 3), dtype=t.int32))
    see("zeros", t.zeros(4))
    see("zeros 0-d", t.zeros(()))
    see("full float", t.full((2,), 1.5))
    see("full int", t.full((2,), 7))
    see("full bool", t.full((2,), True))
    see("empty shape", t.empty(2, 0).shape)
    see.call("ones int requires_grad", lambda: t.ones(3, dtype=t.int32, requires_grad=True))
    see.call("arange int requires_grad", lambda: t.arange(3, requires_grad=True))
    see("arange", t.arange(5))
    see("arange start step", t.arange(1, 10, 3))
    see("arange float", t.arange(0, 1, 0.25))
    see("arange negative", t.arange(5, 0, -2))
    see("linspace", t.linspace(0, 1, 5))
    see("linspace odd", t.linspace(-2, 3, 7))
    see("eye", t.eye(3))
    see("eye rect", t.eye(2, 3))
    x = t.ones(2, 3, dtype=t.float64)
    for name in ("ones_like", "zeros_like", "empty_like", "rand_like", "randn_like"):
        y = getattr(t, name)(x)
        see(name + " meta", (y.shape, y.dtype, y.requires_grad))
    see("full_like", t.full_like(x, 2))
    see("rand meta", (t.rand(2, 3).shape, t.rand(2, 3).dtype, t.randn(4, dtype=t.float64).dtype))
    r = t.randint(0, 5, (100,))
    see("randint meta", (r.dtype, bool((r >= 0).all() if hasattr(r, "all") else True)))
    see("randint bounds", (int(r.numpy().min()) >= 0, int(r.numpy().max()) < 5))
    see("factory under no_grad still requires grad", _under_no_grad(t, lambda: t.ones(2, requires_grad=True)))


def _under_no_grad(t, thunk):
    with t.no_grad():
        return thunk()


@scenario
def seeded_random_reproduces(t, see):
    t.manual_seed(3)
    a = t.rand(5)
    t.manual_seed(3)
    b = t.rand(5)
    see("same seed same draws", bool((a == b).numpy().all()))
    g = t.Generator().manual_seed(7)
    c = t.randn(3, generator=g)
    g.manual_seed(7)
    see("generator reproduces", bool((c == t.randn(3, generator=g)).numpy().all()))


@scenario
def default_dtype(t, see):
    see("default", t.get_default_dtype())
    t.set_default_dtype(t.float64)
    try:
        see("float64 default tensor", t.tensor([1.5]))
        see("float64 default ones", t.ones(2))
        see("float64 default arange", t.arange(0.0, 1.0, 0.5))
        see("int stays int64", t.tensor([1]))
    finally:
        t.set_default_dtype(t.float32)
    see.call("non-float default", lambda: t.set_default_dtype(t.int64))


@scenario
def type_promotion(t, see):
    f32 = t.ones(2)
    f64 = t.ones(2, dtype=t.float64)
    i64 = t.ones(2, dtype=t.int64)
    i32 = t.ones(2, dtype=t.int32)
    b = t.ones(2, dtype=t.bool)
    h = t.ones(2, dtype=t.float16)
    zero64 = t.tensor(2.0, dtype=t.float64)
    for name, value in [("f32*f64", f32 * f64), ("f32*0-d f64", f32 * zero64),
                        ("f32*(1,) f64", f32 * t.tensor([2.0], dtype=t.float64)),
                        ("i64+float", i64 + 2.5), ("i64+int", i64 + 2), ("i32+i64", i32 + i64),
                        ("i32+int", i32 + 3), ("bool+int", b + 1), ("bool+bool", b + b), ("bool*float", b * 1.5),
                        ("i64 + 0-d f64", i64 + zero64), ("f16+f32 0-d", h + t.tensor(1.0)),
                        ("f16*i64", h * i64), ("i64/i64", i64 / i64), ("i32/2", i32 / 2),
                        ("f32 + 1.00001", f32 + 1.00001), ("2 - i64", 2 - i64), ("i64 ** 2", i64 ** 2),
                        ("f32 > f64", f32 > f64)]:
        see(name, value)
    see("promote_types", [t.promote_types(a, c) for a in (t.int64, t.float16, t.bool) for c in (t.float32, t.int32)])
    see("result_type", [t.result_type(i64, 1.0), t.result_type(f32, zero64), t.result_type(b, 2)])


@scenario
def tensor_metadata(t, see):
    x = t.ones(2, 3, 4)
    see("shape", x.shape)
    see("size", x.size())
    see("size(dim)", [x.size(0), x.size(-1)])
    see.call("size(bad dim)", lambda: x.size(3))
    see("dim/ndim/numel", [x.dim(), x.ndim, x.numel()])
    see("dtype", x.dtype)
    see("len", len(x))
    see.call("len 0-d", lambda: len(t.tensor(1.0)))
    see("item", t.tensor([2.5]).item())
    see.call("item of many", lambda: t.ones(2).item())
    see("tolist", t.tensor([[1.5, 2.0]]).tolist())
    see("int tolist", t.tensor([1, 2]).tolist())
    see("float()", float(t.tensor(1.25)))
    see("int()", int(t.tensor(3.7)))
    see("bool()", bool(t.tensor([0.0])))
    see.call("bool() ambiguous", lambda: bool(t.ones(2)))
    see("is_floating_point", [x.is_floating_point(), t.ones(1, dtype=t.int64).is_floating_point()])
    see("is_tensor", [t.is_tensor(x), t.is_tensor(1.0)])
    see("size repr", repr(x.shape))
    see("numpy of no-grad tensor", x.numpy())
    see.call("numpy of grad tensor", lambda: t.ones(2, requires_grad=True).numpy())


# ----- autograd state on tensors --------------------------------------------------------------

@scenario
def leaves_and_requires_grad(t, see):
    x = t.ones(2, requires_grad=True)
    y = x * 2
    see("leaf flags", [x.is_leaf, x.requires_grad, x.grad_fn is None])
    see("non-leaf flags", [y.is_leaf, y.requires_grad])
    z = t.ones(2) * 2
    see("no-grad result is a leaf", [z.is_leaf, z.requires_grad])
    see("requires_grad_() on no-grad result", z.requires_grad_().is_leaf)
    see("requires_grad_(True) on non-leaf is a no-op", y.requires_grad_(True) is y)
    see.call("requires_grad_(False) on non-leaf", lambda: y.requires_grad_(False))
    see.call("requires_grad = False on non-leaf", lambda: setattr(y, "requires_grad", False))
    see.call("int requires_grad_()", lambda: t.tensor([1, 2]).requires_grad_())
    see.call("int requires_grad setter", lambda: setattr(t.tensor([1, 2]), "requires_grad", True))
    see.call("int requires_grad_(False) is fine", lambda: t.tensor([1, 2]).requires_grad_(False))
    x2 = t.ones(2, requires_grad=True)
    x2.requires_grad_(False)
    see("leaf requires_grad_(False)", [x2.requires_grad, x2.is_leaf])
    with t.no_grad():
        w = x * 2
    see("under no_grad", w)
    see("mixed requires_grad", x + t.ones(2))


@scenario
def grad_attribute(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    (y.sum()).backward()
    see("leaf grad", x.grad)
    see.call("non-leaf grad warns", lambda: y.grad)
    see.call("assign ok", lambda: setattr(x, "grad", t.ones(2)))
    see.call("assign wrong size", lambda: setattr(x, "grad", t.ones(3)))
    see.call("assign wrong dtype", lambda: setattr(x, "grad", t.ones(2, dtype=t.float64)))
    see.call("assign list", lambda: setattr(x, "grad", [1.0, 2.0]))
    g = t.ones(2)
    x.grad = g
    (x * 3).sum().backward()
    see("accumulates into the assigned object", [x.grad is g, g])
    x.grad = None
    see("grad = None", x.grad)


@scenario
def retain_grad(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    see("retains_grad", [y.retains_grad, x.retains_grad])
    z = (y * y).sum()
    z.backward(retain_graph=True)
    see("y.grad after 1st", y.grad)
    z.backward()
    see("y.grad after 2nd accumulates", y.grad)
    see("retain_grad on a leaf is a no-op", [x.retain_grad(), x.retains_grad])
    see.call("retain_grad without grad", lambda: t.ones(2).retain_grad())
    o = (x * 3).sum()
    o.retain_grad()
    o.backward()
    see("root retains its grad", o.grad)


@scenario
def detach(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    see("detached", d)
    d[0] = 100.0
    see("edit through detach shows in y", y)
    z = x * 3
    z2 = z * 1
    z.detach_()
    see("detach_ non-leaf", z)
    z2.sum().backward()
    see("old graph still reaches x", x.grad)
    see.call("detach_ on a leaf", lambda: x.detach_())
    see("leaf after detach_", [x.requires_grad, x.is_leaf])
    v = (t.ones(3, requires_grad=True) * 2)[0:2]
    see.call("detach_ on a view", lambda: v.detach_())


@scenario
def clone_and_inplace_values(t, see):
    x = t.tensor([1.0, -2.0, 3.0], requires_grad=True)
    c = x.clone()
    see("clone", c)
    with t.no_grad():
        w = x.clone()
    w.add_(1)
    see("add_", w)
    w.sub_(t.ones(3), alpha=2)
    see("sub_", w)
    w.mul_(2)
    see("mul_", w)
    w.div_(4)
    see("div_", w)
    w.fill_(1.5)
    see("fill_", w)
    w.copy_(t.tensor([7.0, 8.0, 9.0]))
    see("copy_", w)
    w.zero_()
    see("zero_", w)
    see("version counter", w._version)
    i = t.tensor([1, 2])
    i.add_(1)
    see("int add_", i)
    see.call("int add_ float", lambda: i.add_(1.5))
    see.call("int mul_ float", lambda: i.mul_(0.5))


@scenario
def inplace_history(t, see):
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = x * 2
    out += 1
    see("+= keeps op name", out)
    out.mul_(x)
    see("mul_ with grad input", out)
    out.exp_()
    see("exp_", out)
    out.sum().backward()
    see("grad through in-place chain", x.grad)
    nd = t.zeros(3)
    nd.add_(x)
    see("writing a grad value into a no-grad tensor", nd)
    z = (x * 1)
    z.zero_()
    see("zero_ on non-leaf", z)
    f = x * 1
    f.fill_(2.0)
    see("fill_ on non-leaf", f)
    c = x * 1
    c.copy_(t.ones(3))
    see("copy_ on non-leaf", c)


@scenario
def operators_and_scalars(t, see):
    a = t.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    for name, fn in [("a+2", lambda: a + 2), ("2+a", lambda: 2 + a), ("a-2", lambda: a - 2),
                     ("2-a", lambda: 2 - a), ("a*2", lambda: a * 2), ("2*a", lambda: 2 * a),
                     ("a/2", lambda: a / 2), ("2/a", lambda: 2 / a), ("a**2", lambda: a ** 2),
                     ("2**a", lambda: 2 ** a), ("-a", lambda: -a), ("a.neg()", lambda: a.neg()),
                     ("a.pow(2)", lambda: a.pow(2)), ("a.exp()", lambda: a.exp()),
                     ("a.clamp(min=0)", lambda: a.clamp(min=0)), ("clamp(-1, 1)", lambda: t.clamp(a, -1, 1)),
                     ("a.mean()", lambda: a.mean()), ("a.sum()", lambda: a.sum()), ("a.sum(0)", lambda: a.sum(0)),
                     ("a.mean(1, keepdim)", lambda: a.mean(1, keepdim=True)), ("a.mm(a)", lambda: a.mm(a)),
                     ("add alpha", lambda: t.add(a, a, alpha=2)), ("sub alpha", lambda: t.sub(a, a, alpha=3)),
                     ("rsub", lambda: t.rsub(a, a)), ("+a is a", lambda: (+a) is a)]:
        out = see.call(name, fn)
        if isinstance(out, (torch.Tensor, mygrad.Tensor)) and out.requires_grad:
            see(name + " next", _tree(out.grad_fn))
            g = t.autograd.grad(out.sum(), a)[0]
            see(name + " grad", g)


def _tree(node, depth=3):
    return graph_tree(node, depth)


@scenario
def shape_errors(t, see):
    a, b = t.ones(2, 3, requires_grad=True), t.ones(2, 2)
    see.call("add mismatch", lambda: a + b)
    see.call("mul mismatch", lambda: a * b)
    see.call("mm mismatch", lambda: a.mm(a))
    see.call("mm dtype mismatch", lambda: a.mm(t.ones(3, 2, dtype=t.float64)))
    see.call("mm of a vector", lambda: a.mm(t.ones(3)))
    see("a is untouched", a)
    see("a has no grad", a.grad)


# ----- graph ----------------------------------------------------------------------------------

@scenario
def graph_structure(t, see):
    x1 = t.ones(2, 2, requires_grad=True)
    x2 = t.tensor(1.1, requires_grad=True)
    y = x1 * (x2 + 2)
    z = y.pow(2) * 3
    out = z.mean()
    see("tree", _tree(out.grad_fn, 6))
    node = out.grad_fn
    see("name()", node.name())
    leaf_node = y.grad_fn.next_functions[0][0]
    see("AccumulateGrad.variable is the leaf", leaf_node.variable is x1)
    w = x1 + x1
    see("one AccumulateGrad per leaf", w.grad_fn.next_functions[0][0] is w.grad_fn.next_functions[1][0])
    see("shared across graphs", (x1 * 2).grad_fn.next_functions[0][0] is (x1 * 3).grad_fn.next_functions[0][0])
    see("leaf grad_fn", x1.grad_fn)
    nd = t.ones(2, 2)
    see("no-grad tensor operand edge", _tree((x1 + nd).grad_fn, 1))
    see("no-grad tensor first", _tree((nd + x1).grad_fn, 1))


# ----- backward ------------------------------------------------------------------------------

@scenario
def backward_accumulates(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    first = x.grad
    see("first", x.grad)
    (x * 3).sum().backward()
    see("second accumulates in place", [x.grad, x.grad is first])
    x.grad.zero_()
    see("zero_", x.grad)
    (x ** 2).sum().backward()
    see("after zero_", x.grad)
    x.grad = None
    (x * 5).sum().backward()
    see("after = None", x.grad)
    s = t.ones(2, requires_grad=True)
    (s + s + s * s).sum().backward()
    see("summed over uses", s.grad)


@scenario
def backward_gradient_argument(t, see):
    x = t.ones(2, 3, requires_grad=True)
    y = x * 2
    see.call("implicit on non-scalar", lambda: y.backward())
    see.call("autograd.backward non-scalar", lambda: t.autograd.backward(y))
    g = t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y.backward(g, retain_graph=True)
    see("explicit gradient", x.grad)
    see("gradient not mutated", g)
    see("gradient not aliased", x.grad is g)
    x.grad = None
    see.call("wrong shape gradient", lambda: y.backward(t.ones(3)))
    see.call("broadcastable gradient rejected", lambda: y.backward(t.ones(1, 3)))
    see.call("float64 gradient accepted", lambda: y.backward(t.ones(2, 3, dtype=t.float64), retain_graph=True))
    see("grad dtype stays float32", x.grad)
    y1 = (x * 2).sum(0, keepdim=True).sum(1)
    see.call("shape (1,) implicit ok", lambda: y1.backward())
    s = (x * 2).sum()
    see.call("0-d with (1,) gradient", lambda: s.backward(t.ones(1)))
    see.call("float gradient", lambda: s.backward(2.0))
    leaf = t.ones(3, requires_grad=True)
    gl = t.tensor([1.0, 2.0, 3.0])
    leaf.backward(gl)
    see("backward on a leaf copies the gradient", [leaf.grad, leaf.grad is gl])


@scenario
def backward_twice(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    see.call("second backward through saved tensors", lambda: y.backward())
    see("grad after failed second", x.grad)
    x2 = t.tensor([1.0, 2.0], requires_grad=True)
    z = (x2 + 1).sum()
    z.backward()
    see.call("add+sum saves nothing: works twice", lambda: z.backward())
    see("x2.grad", x2.grad)
    x3 = t.tensor([1.0, 2.0], requires_grad=True)
    z3 = (x3 * 2).sum()
    z3.backward()
    see.call("x*2 saves the scalar", lambda: z3.backward())
    x4 = t.tensor([1.0, 2.0], requires_grad=True)
    z4 = x4.exp().sum()
    z4.backward()
    see.call("exp saves its result", lambda: z4.backward())
    x5 = t.tensor([1.0, 2.0], requires_grad=True)
    h = x5 * x5
    h.sum().backward()
    see.call("new graph on a freed intermediate", lambda: (h * 3).sum().backward())
    x6 = t.tensor([1.0, 2.0], requires_grad=True)
    y6 = (x6 * x6).sum()
    y6.backward(retain_graph=True)
    y6.backward(retain_graph=True)
    see("retain_graph accumulates", x6.grad)
    y6.backward()
    see.call("then freed", lambda: y6.backward())
    for expr in ("x7 / 2", "x7.mean() * 1", "x7.sum(0)", "x7.mm(x7)", "x7.clamp(min=0)", "x7 - 1", "2 - x7",
                 "x7 ** 2", "x7.neg()"):
        x7 = t.ones(2, 2, requires_grad=True)
        out = eval(expr, {"x7": x7}).sum()
        out.backward()
        see.call(f"second backward of {expr}", lambda: out.backward())


INDEX_SAVING = {   # ops whose node saves an index or mask tensor (found by the randomized programs: gather)
    "gather": lambda t, x: t.gather(x, 0, t.tensor([0, 2])),
    "index_select": lambda t, x: t.index_select(x, 0, t.tensor([0, 2])),
    "take_along_dim": lambda t, x: t.take_along_dim(x, t.tensor([0, 2]), 0),
    "take": lambda t, x: t.take(x, t.tensor([0, 2])),
    "x[tensor]": lambda t, x: x[t.tensor([0, 2])],
    "x[mask]": lambda t, x: x[t.tensor([True, False, True])],
    "x[list]": lambda t, x: x[[0, 2]],
    "masked_fill": lambda t, x: x.masked_fill(t.tensor([True, False, True]), 0.0),
    "masked_fill tensor value": lambda t, x: x.masked_fill(t.tensor([True, False, True]), x[0]),
    "masked_select": lambda t, x: x.masked_select(t.tensor([True, False, True])),
    "scatter": lambda t, x: t.zeros(3).scatter(0, t.tensor([0, 2]), x[:2]),
    "scatter value": lambda t, x: x.scatter(0, t.tensor([0, 2]), 1.0),
    "scatter_add": lambda t, x: t.zeros(3).scatter_add(0, t.tensor([0, 2]), x[:2]),
    "index_add": lambda t, x: t.zeros(3).index_add(0, t.tensor([0, 2]), x[:2]),
    "index_copy": lambda t, x: t.zeros(3).index_copy(0, t.tensor([0, 2]), x[:2]),
    "index_fill": lambda t, x: x.index_fill(0, t.tensor([0, 2]), 1.0),
    "index_put": lambda t, x: t.zeros(3).index_put((t.tensor([0, 2]),), x[:2]),
    "put": lambda t, x: t.zeros(3).put(t.tensor([0, 2]), x[:2]),
    "masked_scatter": lambda t, x: t.zeros(3).masked_scatter(t.tensor([True, False, True]), x),
    "embedding": lambda t, x: t.nn.functional.embedding(t.tensor([0, 2]), x.reshape(3, 1)),
    "sort": lambda t, x: x.sort()[0],
    "sort stable": lambda t, x: x.sort(stable=True)[0],
    "max(dim)": lambda t, x: x.max(0)[0],
    "min(dim)": lambda t, x: x.min(0)[0],
    "topk": lambda t, x: x.topk(2)[0],
    "kthvalue": lambda t, x: x.kthvalue(2)[0],
    "median(dim)": lambda t, x: x.median(0)[0],
    "nanmedian(dim)": lambda t, x: x.nanmedian(0)[0],
    "mode": lambda t, x: x.mode(0)[0],
    "repeat_interleave": lambda t, x: x.repeat_interleave(t.tensor([1, 2, 0])),
    "x[0] (an int: nothing saved)": lambda t, x: x[0],
    "x[1:] (a slice: nothing saved)": lambda t, x: x[1:],
}


@scenario
def backward_twice_through_saved_indices(t, see):
    """A node that saves an index or mask tensor frees it after backward: a second backward raises."""
    for label, fn in INDEX_SAVING.items():
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = fn(t, x).sum()
        y.backward()
        see.call(f"second backward of {label}", lambda: y.backward())
        see(f"{label}: grad", x.grad)
    for label, name in (("gather", "_saved_index"), ("sort", "_saved_indices"), ("masked_fill", "_saved_mask"),
                        ("x[0] (an int: nothing saved)", "_saved_index")):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = INDEX_SAVING[label](t, x)
        see.call(f"{label}: {name} before backward", lambda: getattr(y.grad_fn, name))
        y.sum().backward()
        see.call(f"{label}: {name} after backward", lambda: getattr(y.grad_fn, name))


@scenario
def backward_twice_through_an_edited_view(t, see):
    """An in-place op through a view (CopySlices on the base) lets go of its node after a backward without
    retain_graph, even when that node saved nothing: a second backward raises, from the view or the base
    (found by the randomized programs: ``x.add(x, alpha=2).reshape(-1).add_(0.25)``)."""
    makes = {"add alpha": lambda x: x.add(x, alpha=2), "x + 1": lambda x: x + 1, "clone": lambda x: x.clone()}
    views = {"reshape(-1)": lambda b: b.reshape(-1), "[:]": lambda b: b[:], "t()": lambda b: b.t(),
             "[0]": lambda b: b[0]}
    edits = {"add_(0.25)": lambda v: v.add_(0.25), "zero_()": lambda v: v.zero_(), "mul_(2)": lambda v: v.mul_(2)}
    for (mk, make), (vk, view), (ek, edit) in itertools.product(makes.items(), views.items(), edits.items()):
        for which in ("view", "base"):
            x = t.tensor([[1.0, 2.0]], requires_grad=True)
            b = make(x)
            v = view(b)
            edit(v)
            root = (v if which == "view" else b).sum()
            label = f"{mk}, {vk}, {ek}, from the {which}"
            see.call(f"{label}: retained", lambda: root.backward(retain_graph=True))
            see.call(f"{label}: freed", lambda: root.backward())
            see.call(f"{label}: again", lambda: root.backward())
            see(f"{label}: grad", x.grad)


@scenario
def backward_errors(t, see):
    see.call("no-grad scalar", lambda: t.tensor(3.0).backward())
    see.call("no-grad with gradient", lambda: t.ones(3).backward(t.ones(3)))
    x = t.ones(2, requires_grad=True)
    d = (x * 2).sum().detach()
    see.call("detached", lambda: d.backward())
    see.call("grad of no-grad output", lambda: t.autograd.grad(t.ones(()) * 2, x))
    see.call("grad w.r.t. no-grad input", lambda: t.autograd.grad((x * 2).sum(), t.ones(2)))
    see.call("int root", lambda: t.tensor(3).backward())


@scenario
def backward_inputs(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    loss = y.sum()
    loss.backward(inputs=[x], retain_graph=True)
    see("only x", [x.grad, w.grad])
    loss.backward(inputs=[y])
    see("non-leaf input gets .grad", y.grad)
    see.call("empty inputs", lambda: (x * 2).sum().backward(inputs=[]))


@scenario
def multiple_roots(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y1, y2 = (x * 2).sum(), (x * x).sum()
    t.autograd.backward([y1, y2])
    see("sum over roots", x.grad)
    x.grad = None
    a, b = x * 3, x.exp()
    t.autograd.backward([a, b], [t.ones(2), t.tensor([0.5, 2.0])])
    see("with gradients", x.grad)


@scenario
def autograd_grad(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    z = t.tensor([1.0], requires_grad=True)
    y = (x * x).sum()
    gx = t.autograd.grad(y, x, retain_graph=True)
    see("grad is a tuple", gx)
    see(".grad untouched", x.grad)
    see.call("unused input", lambda: t.autograd.grad(y, [x, z], retain_graph=True))
    see("allow_unused", t.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True))
    see("materialize_grads", t.autograd.grad(y, [x, z], materialize_grads=True, retain_graph=True))
    see("grad_outputs", t.autograd.grad(x * 2, x, grad_outputs=t.tensor([1.0, 3.0])))
    see.call("implicit non-scalar", lambda: t.autograd.grad(x * 2, x))


@scenario
def higher_order(t, see):
    x = t.tensor(2.0, requires_grad=True)
    y = x ** 3
    (g1,) = t.autograd.grad(y, x, create_graph=True)
    see("first", g1)
    (g2,) = t.autograd.grad(g1, x, create_graph=True)
    see("second", g2)
    (g3,) = t.autograd.grad(g2, x)
    see("third", g3)
    a = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
    b = t.tensor([1.5, 2.0, -0.5], requires_grad=True)
    f = (a * b.exp() / (a * a + 1) - b.pow(2) + t.clamp(a, -1, 1) * 2 - 3 / b).mean()
    ga, gb = t.autograd.grad(f, [a, b], create_graph=True)
    see("mixed first", [ga, gb])
    see("mixed second", t.autograd.grad((ga * gb).sum(), [a, b]))
    m = t.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    (gm,) = t.autograd.grad(m.mm(m).sum() ** 2, m, create_graph=True)
    see("mm second", t.autograd.grad(gm.sum(), m))
    x2 = t.tensor([1.0, 2.0], requires_grad=True)
    (x2 * x2).sum().backward(create_graph=True)
    see("backward(create_graph) grad requires grad", x2.grad.requires_grad)
    (g,) = t.autograd.grad((x2 * 2).sum(), x2, create_graph=True)
    see("linear: second order has no graph", g.requires_grad)


@scenario
def create_graph_formula_order(t, see):
    """torch's generated backward runs a node's formulas in the order of its input names sorted: the nodes they
    record are numbered in that order, the engine runs (and sums second-order gradients) in that order, and a
    float32 cancellation then comes out as torch's."""
    def order(grads):  # the inputs' gradients ranked by when their (create_graph) nodes were made
        seq = [g.grad_fn._sequence_nr() if callable(g.grad_fn._sequence_nr) else g.grad_fn._sequence_nr
               for g in grads]
        return sorted(range(len(grads)), key=seq.__getitem__)

    a = t.tensor([2.0], requires_grad=True)
    b = t.tensor([3.0], requires_grad=True)
    c = t.tensor([0.3], requires_grad=True)
    for name, f in (("mul", lambda: a * b), ("div", lambda: a / b), ("lerp", lambda: t.lerp(a, b, c))):
        y = f()
        inputs = [a, b] if name != "lerp" else [a, b, c]
        see(f"{name}: formula order", order(t.autograd.grad(y, inputs, t.ones_like(y).requires_grad_(),
                                                            create_graph=True)))
    x0 = t.tensor([[3.29401]], requires_grad=True)
    x1 = t.tensor([[-9.331518e-08]], requires_grad=True)
    out = t.nn.functional.cosine_similarity(x0, x1, dim=-1)
    g0, g1 = t.autograd.grad(out, [x0, x1], t.tensor([-1.375]), create_graph=True)
    second = t.autograd.grad((g0 * -1.375).sum() + (g1 * 1.125).sum(), [x0, x1])
    see("cosine_similarity float32 second order (cancelling terms near 1e14)", second)


# ----- grad modes -----------------------------------------------------------------------------

@scenario
def grad_modes(t, see):
    x = t.ones(2, requires_grad=True)
    see("enabled", t.is_grad_enabled())
    with t.no_grad():
        see("inside no_grad", [t.is_grad_enabled(), (x * 2).requires_grad])
        with t.enable_grad():
            see("enable_grad inside no_grad", (x * 2).requires_grad)
        see("back in no_grad", t.is_grad_enabled())
    see("restored", t.is_grad_enabled())

    @t.no_grad()
    def doubled(v):
        return v * 2

    see("decorator", doubled(x))
    see("decorator restores", t.is_grad_enabled())
    with t.set_grad_enabled(False):
        see("set_grad_enabled(False) ctx", (x * 2).requires_grad)
    see("restored after ctx", t.is_grad_enabled())
    t.set_grad_enabled(False)
    see("set_grad_enabled as a call", t.is_grad_enabled())
    t.set_grad_enabled(True)
    with t.no_grad():
        x.add_(1)
    see("in-place on a leaf under no_grad", [x, x._version])

    def raises_inside():
        with t.no_grad():
            raise ValueError("boom")

    see.call("exception inside no_grad", raises_inside)
    see("restored after exception", t.is_grad_enabled())


def test_grad_mode_is_thread_local():
    """Grad mode set in one thread does not leak into another (torch's is thread-local)."""
    for lib in (torch, mygrad):
        seen = []
        with lib.no_grad():
            worker = threading.Thread(target=lambda: seen.append(lib.is_grad_enabled()))
            worker.start()
            worker.join()
            seen.append(lib.is_grad_enabled())
        assert seen == [True, False], lib.__name__


# ----- in-place safety -------------------------------------------------------------------------

@scenario
def inplace_on_leaf(t, see):
    x = t.ones(3, requires_grad=True)
    see.call("add_", lambda: x.add_(1))

    def iadd():
        y = x
        y += 1

    see.call("+=", iadd)
    see.call("zero_", lambda: x.zero_())
    see.call("copy_", lambda: x.copy_(t.zeros(3)))
    see.call("fill_", lambda: x.fill_(2))
    see("x untouched", x)
    see.call("data.add_ allowed", lambda: x.data.add_(1))
    see("x after .data edit", x)
    see.call("detach().add_ allowed", lambda: x.detach().add_(1))
    see("x version", x._version)


@scenario
def version_counter(t, see):
    a = t.tensor([1.0, 2.0], requires_grad=True)
    e = a.exp()
    out = e.sum()
    with t.no_grad():
        e.add_(1)
    see.call("exp's output edited under no_grad", lambda: out.backward())
    e2 = a * 1
    r = e2.exp()
    r.add_(1)
    see.call("modified output of exp", lambda: r.sum().backward())
    b = a * 1
    c = b * 3
    b.add_(1)
    see.call("modified input of mul by scalar: fine", lambda: c.sum().backward())
    d = a * 1
    f = d * d
    d.mul_(2)
    see.call("modified input of d*d", lambda: f.sum().backward())
    g = a * 1
    h = g + 1
    g.add_(1)
    see.call("modified input of add: fine", lambda: h.sum().backward())
    w = t.ones(2, requires_grad=True)
    loss = (w * w).sum()
    with t.no_grad():
        w.add_(1)
    see.call("leaf saved then edited under no_grad", lambda: loss.backward())
    see("versions", [a._version, b._version, w._version])


# ----- broadcasting and dtypes of gradients ------------------------------------------------------

@scenario
def broadcasting_gradients(t, see):
    a = t.ones(3, 1, requires_grad=True)
    b = t.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    (a * b).sum().backward()
    see("(3,1)*(1,4)", [a.grad, b.grad])
    v = t.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    m = t.ones(3, 4, requires_grad=True)
    (v * m * 2).sum().backward()
    see("(4,)*(3,4)", [v.grad, m.grad])
    s = t.tensor(2.0, requires_grad=True)
    (s * m).sum().backward()
    see("0-d leaf", s.grad)
    p = t.ones(2, 1, 4, requires_grad=True)
    q = t.ones(3, 1, requires_grad=True)
    (p - q).mean().backward()
    see("(2,1,4)-(3,1)", [p.grad, q.grad])
    f32 = t.tensor([1.0, 2.0], requires_grad=True)
    f64 = t.tensor([3.0, 4.0], dtype=t.float64, requires_grad=True)
    out = f32 * f64
    out.sum().backward()
    see("mixed dtypes", [out, f32.grad, f64.grad])
    e = t.ones(0, 3, requires_grad=True)
    e.sum().backward()
    see("empty", e.grad)
    see("mean of empty", t.ones(0).mean())
    see.call("mean of int", lambda: t.tensor([1, 2]).mean())
    see("sum of int", t.tensor([1, 2]).sum())
    see("dim=() reduces all", t.ones(2, 3).sum(dim=()))


# ----- hooks ---------------------------------------------------------------------------------

@scenario
def hooks(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    calls = []
    y.register_hook(lambda g: calls.append(("first", g.tolist())) or g * 10)
    y.register_hook(lambda g: calls.append(("second", g.tolist())))
    y.retain_grad()
    y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    see("hook calls in order", calls)
    see("retain_grad sees the final value", y.grad)
    see("leaf gets the modified gradient", x.grad)
    z = t.ones(2, requires_grad=True)
    leaf_calls = []
    z.register_hook(lambda g: leaf_calls.append(g.tolist()))
    (z * 2 + z * 3).sum().backward()
    see("leaf hook once with the sum", leaf_calls)
    handle = z.register_hook(lambda g: g * 0)
    handle.remove()
    z.grad = None
    (z * 2).sum().backward()
    see("removed hook", z.grad)
    see.call("hook on no-grad tensor", lambda: t.ones(2).register_hook(lambda g: g))
    bad = t.ones(2, requires_grad=True)
    bad.register_hook(lambda g: t.ones(3))
    see.call("hook changes size", lambda: (bad * 2).sum().backward())
    worse = t.ones(2, requires_grad=True)
    worse.register_hook(lambda g: 1)
    see.call("hook returns a non-tensor", lambda: (worse * 2).sum().backward())
    w = t.ones(2, requires_grad=True)
    w.register_hook(lambda g: g * 2)
    see("hooks run under autograd.grad", t.autograd.grad((w * 3).sum(), w))


# ----- deep graphs -------------------------------------------------------------------------------

@scenario
def deep_chain(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    y.sum().backward()
    see("100k additions", [y, x.grad])
    z = x
    for _ in range(3_000):
        z = z * 1.0001
    z.sum().backward()
    see("3k multiplications", x.grad)


def test_deliberately_wrong_gradient_is_caught(monkeypatch):
    """The paired comparison must fail when a backward formula is wrong (a test double of MulBackward0)."""
    from mygrad.autograd.node import generate_apply
    from mygrad.ops.elementwise import MulBackward0
    wrong = {name: f"1.5 * ({text})" for name, text in MulBackward0.formulas.items()}
    monkeypatch.setattr(MulBackward0, "apply", generate_apply(MulBackward0, wrong))
    with pytest.raises(AssertionError):
        check(backward_accumulates)


def test_training_step_makes_no_reference_cycles():
    """Graphs are freed by reference counting alone: nothing for the cyclic garbage collector to find."""
    import gc
    w = mygrad.randn(3, 4, requires_grad=True)
    x = mygrad.randn(5, 3)
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            y = x.mm(w).clamp(min=0)
            y.retain_grad()
            loss = (y.exp() * 2 - 1).pow(2).mean()
            loss.backward()
            with mygrad.no_grad():
                w.sub_(0.1 * w.grad)
                w.grad.zero_()
        del y, loss
        assert gc.collect() == 0
    finally:
        gc.enable()


@scenario
def inplace_ops_that_save_their_result(t, see):
    x = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x * 1).exp_()
    y.add_(1)
    see.call("edited after exp_", lambda: y.sum().backward())
    z = (x * 1).exp_()
    z.sum().backward()
    see("exp_ alone", x.grad)
    s = (x * 1).sigmoid_()
    s.mul_(2)
    see.call("edited after sigmoid_", lambda: s.sum().backward())


@scenario
def creation_precision(t, see):
    see("tiny float64", t.tensor([6.8e-248], dtype=t.float64))
    see("near-one float64", t.tensor([1.0000000001], dtype=t.float64).item())
    see("nested float64", t.tensor([[1e-300, 2.5]], dtype=t.float64))
    see("ints to float16", t.tensor([1, 2], dtype=t.float16))
    see("floats to int", t.tensor([1.7, -2.2], dtype=t.int64))
    see("bools to float", t.tensor([True, False], dtype=t.float32))
    see("numpy float32 to float64", t.tensor(np.array([0.1], dtype=np.float32), dtype=t.float64))


@scenario
def grad_flags_change_after_use(t, see):
    t0 = t.tensor(1.5, requires_grad=True)
    t1 = -t0
    t0.requires_grad_(False)
    t1.sum().backward()
    see("leaf switched off after use gets no grad", t0.grad)
    a = t.tensor([1.0, 2.0], requires_grad=True)
    b = a + a
    b.retain_grad()
    b.mul_(0.5)
    b.exp_()
    b.sum().backward()
    see("retain_grad follows in-place ops", [b.grad, a.grad])
    c = a * 1
    c.retain_grad()
    c.register_hook(lambda g: g * 10)
    c.add_(1)
    (c * c).sum().backward()
    see("hooks stay with the old value", [c.grad, a.grad])
    d = a * 2
    d.retain_grad()
    old_value = d.unsqueeze(0) + d  # recorded before the base is written through a view
    d.unsqueeze(0).mul_(0.5)
    old_value.sum().backward(retain_graph=True)
    see("a base's retained grad follows a write through its view", [d.grad, a.grad])
    d.sum().backward()
    see("... and is filled by its new history", [d.grad, a.grad])


@scenario
def retain_grad_on_a_view_edited_under_no_grad(t, see):
    t0 = t.tensor(1.5, dtype=t.float64, requires_grad=True)
    t1 = t0.reshape(-1)
    t1.retain_grad()
    with t.no_grad():
        t1.mul_(0.5)
    t1.sum().backward()
    see("view's retained grad", [t1.grad, t0.grad])


@scenario
def no_grad_view_follows_its_base(t, see):
    t0 = t.tensor(1.5, requires_grad=True)
    with t.no_grad():
        t1 = t0.reshape(-1)
    see("view made under no_grad", [t1.requires_grad, t1.is_leaf])
    t0.requires_grad_(False)
    see("after the base stops requiring grad", [t1.requires_grad, t1.is_leaf])
    t0.requires_grad_(True)
    see("and starts again", t1.requires_grad)
