"""Differences from torch found by probing as a user would (values at the edges, conversions, pickling,
copying, process state), each run in torch and in mygrad side by side (see paired.py).

Signed zeros are compared through ``np.signbit``, since equal values hide them."""
from __future__ import annotations

import copy
import gc
import pickle
import threading
import warnings

import numpy as np
import pytest
import torch

import mygrad
from paired import check, scenario_suite

scenario, test_matches_torch = scenario_suite()
INF, NAN = float("inf"), float("nan")


def signed(t):
    """Values and the sign bit of each: -0.0 and 0.0 differ here."""
    data = t.detach().numpy()
    return data.copy(), np.signbit(data)


def grad_of(t, fn, values, dtype=None):
    x = t.tensor(values, requires_grad=True, dtype=dtype)
    fn(x).sum().backward()
    return signed(x.grad)


# ----- values at the edges: NaN, inf, overflow, signed zero -----------------------------------

@scenario
def gradients_at_nan_and_inf(t, see):
    F = t.nn.functional
    see("elu at nan", grad_of(t, F.elu, [NAN, -1.0, 1.0]))
    see("elu at -inf, inf", grad_of(t, F.elu, [-INF, INF]))
    see("celu-like elu alpha at nan", grad_of(t, lambda x: F.elu(x, alpha=2.0), [NAN]))
    see("norm p=1 at nan", grad_of(t, lambda x: x.norm(p=1), [NAN, 1.0, -2.0]))
    see("norm p=1 at inf", grad_of(t, lambda x: x.norm(p=1), [INF, 1.0]))
    see("vector_norm inf at nan", grad_of(t, lambda x: t.linalg.vector_norm(x, ord=INF), [NAN, 1.0]))
    see("vector_norm -inf at nan", grad_of(t, lambda x: t.linalg.vector_norm(x, ord=-INF), [NAN, 1.0]))
    see("vector_norm 1 at nan", grad_of(t, lambda x: t.linalg.vector_norm(x, ord=1), [NAN, 1.0]))


@scenario
def prod_with_zeros_and_overflow(t, see):
    for dtype in (t.float32, t.float64):
        see("one zero", grad_of(t, lambda x: x.prod(), [0.0, 2.0, 3.0], dtype))
        see("two zeros", grad_of(t, lambda x: x.prod(), [0.0, 2.0, 0.0], dtype))
        see("negative zeros", grad_of(t, lambda x: x.prod(), [-0.0, -0.0], dtype))
        see("zero and overflow", grad_of(t, lambda x: x.prod(), [0.0, 1e30, 1e30], dtype))
        see("overflow", grad_of(t, lambda x: x.prod(), [1e30, 1e30, 1e-30], dtype))
        see("dim zero and overflow", grad_of(t, lambda x: x.prod(0), [[0.0, 1e30], [1e30, 1e30]], dtype))


@scenario
def cumulative_sums_in_float32(t, see):
    see("cumsum keeps a wider running sum", signed(t.tensor([2.5e38, 2.5e38, -2.5e38, -2.5e38]).cumsum(0)))
    see("cumsum of -0", signed(t.tensor([-0.0]).cumsum(0)))
    see("cumsum of -0, -0", signed(t.tensor([-0.0, -0.0]).cumsum(0)))
    see("cumsum 2d", signed(t.tensor([[3e38, 3e38], [-3e38, -3e38]]).cumsum(1)))
    see("cumprod", signed(t.tensor([1e30, 1e30, 1e-30, 1e-30]).cumprod(0)))
    see("cumsum float64", signed(t.tensor([-0.0, 1.0], dtype=t.float64).cumsum(0)))


@scenario
def signed_zeros(t, see):
    F = t.nn.functional
    see("elu(-0.)", signed(F.elu(t.tensor([-0.0, 0.0]))))
    see("remainder(0., -inf)", signed(t.remainder(t.tensor([0.0, -0.0]), -INF)))
    see("remainder(0., inf)", signed(t.remainder(t.tensor([0.0, -0.0]), INF)))
    see("amax", signed(t.tensor([0.0, -0.0]).amax()))
    see("amax -0 first", signed(t.tensor([-0.0, 0.0]).amax()))
    see("amin", signed(t.tensor([0.0, -0.0]).amin()))
    see("max", signed(t.tensor([0.0, -0.0]).max()))
    see("lerp tiny f32", signed(t.lerp(t.tensor([1e-45, -1e-45]), t.tensor([-1e-45, 1e-45]), 0.5)))

    def bce(p, q):
        p = t.tensor(p, requires_grad=True)
        q = t.tensor(q, requires_grad=True)
        F.binary_cross_entropy(p, q).backward()
        return signed(p.grad), signed(q.grad)
    see("bce at p = t = 0.5", bce([0.5], [0.5]))
    see("bce at p = 0.5, t = 0.25", bce([0.5, 0.25], [0.25, 0.5]))


# ----- conversions ---------------------------------------------------------------------------

@scenario
def python_scalar_conversions(t, see):
    see.call("float of 3 elements", lambda: float(t.ones(3)))
    see.call("int of 3 elements", lambda: int(t.ones(3)))
    see.call("float of empty", lambda: float(t.ones(0)))
    see.call("complex of 2", lambda: complex(t.ones(2)))
    see.call("item of 2", lambda: t.ones(2).item())
    see.call("float of 1 element", lambda: float(t.ones(1, 1)))


@scenario
def from_numpy_arguments(t, see):
    see.call("negative strides", lambda: t.from_numpy(np.arange(3.0)[::-1]))
    see.call("a list", lambda: t.from_numpy([1.0, 2.0]))
    see.call("a float", lambda: t.from_numpy(1.0))
    read_only = np.arange(3.0)
    read_only.flags.writeable = False
    see.call("read-only", lambda: t.from_numpy(read_only))
    shared = np.zeros(3)
    made = t.from_numpy(shared)
    shared[0] = 5.0
    see("shares memory", made)


@scenario
def tensor_constructor_inputs(t, see):
    see.call("copy-construct from a tensor", lambda: t.tensor(t.ones(2)))
    see.call("numpy float64 scalar in a list", lambda: t.tensor([np.float64(1.5), 2.0]))
    see.call("numpy float32 scalar in a list", lambda: t.tensor([np.float32(1.5), 2.0]))
    see.call("numpy int64 scalar in a list", lambda: t.tensor([np.int64(1), 2]))
    see.call("numpy float64 scalar", lambda: t.tensor(np.float64(1.5)))
    see.call("2**63", lambda: t.tensor([2**63]))
    see.call("-2**63 - 1", lambda: t.tensor([-(2**63) - 1]))
    see.call("2**63 - 1", lambda: t.tensor([2**63 - 1]))
    see.call("2**64 as a float", lambda: t.tensor([2.0**64]))


@scenario
def bool_reductions_torch_refuses(t, see):
    b = t.tensor([False, True])
    see.call("argmax of bool", lambda: b.argmax())
    see.call("argmin of bool", lambda: b.argmin())
    see.call("max of bool", lambda: b.max())
    see.call("amax of bool", lambda: b.amax())


# ----- pickling, copying, strides ------------------------------------------------------------

@scenario
def pickling(t, see):
    leaf = t.ones(3, requires_grad=True)
    (leaf * 2).sum().backward()
    see.call("a leaf used in a graph", lambda: pickle.loads(pickle.dumps(leaf)))
    see.call("its grad survives", lambda: pickle.loads(pickle.dumps(leaf)).grad)
    nonleaf = leaf * 2
    see.call("a non-leaf", lambda: pickle.loads(pickle.dumps(nonleaf)))
    expanded = t.ones(3).expand(2, 3)
    see.call("expanded strides", lambda: pickle.loads(pickle.dumps(expanded)).stride())
    transposed = t.arange(6.0).reshape(2, 3).t()
    see.call("transposed strides", lambda: pickle.loads(pickle.dumps(transposed)).stride())
    see.call("int tensor", lambda: pickle.loads(pickle.dumps(t.arange(4))))


@scenario
def deep_copies(t, see):
    leaf = t.ones(3, requires_grad=True)
    nonleaf = leaf * 2
    see.call("deepcopy of a non-leaf", lambda: copy.deepcopy(nonleaf))
    see.call("deepcopy of a leaf", lambda: copy.deepcopy(leaf))
    base = t.ones(4)
    view = base[1:]
    copied = copy.deepcopy([base, view])
    copied[1].add_(1)
    see("a view and its base stay shared", copied[0])
    leaf.grad = t.full((3,), 7.0)
    see.call("the grad is copied", lambda: copy.deepcopy(leaf).grad)


@scenario
def strides_of_empty_tensors(t, see):
    for shape in [(0,), (2, 0), (3, 0, 2), (0, 3), (2, 0, 0)]:
        see(f"zeros{shape}", t.zeros(shape).stride())
    see("empty view", t.zeros(3, 4)[:, :0].stride())


# ----- process state: NumPy's error state, warnings, the garbage collector -------------------

@scenario
def numpy_error_state_is_the_users(t, see):
    F = t.nn.functional
    with np.errstate(all="raise"):
        see.call("inf + -inf", lambda: t.tensor([INF]) + t.tensor([-INF]))
        see.call("inf - inf", lambda: t.tensor([INF]) - INF)
        see.call("inf * 0", lambda: t.tensor([INF]) * 0)
        see.call("1/0", lambda: t.tensor([1.0]) / 0)
        see.call("silu(-inf)", lambda: F.silu(t.tensor([-INF])))
        see.call("overflow", lambda: t.tensor([1e38]) * 1e38)
        see.call("log(0)", lambda: t.tensor([0.0]).log())
        x = t.tensor([INF, 1.0], requires_grad=True)
        see.call("backward at inf", lambda: ((x - INF) * 0).sum().backward())
        see("grad", x.grad)


@scenario
def numpy_error_state_inside_hooks(t, see):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    states = []
    y.register_hook(lambda g: states.append(np.geterr()["invalid"]))
    x.register_hook(lambda g: states.append(np.geterr()["invalid"]))
    with np.errstate(invalid="raise"):
        y.sum().backward()
    see("states seen by hooks", states)


def warnings_of(thunk) -> list:
    """Every warning ``thunk`` gives, wherever it comes from (paired.py's observer leaves some out)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        thunk()
    return [(w.category.__name__, str(w.message).split(" (Triggered internally at")[0]) for w in caught]


@scenario
def warnings_are_torchs(t, see):
    cases = {
        "inf - inf": lambda: t.tensor([INF]) - INF,
        "f32 overflow": lambda: t.tensor([1e38]) * 1e38,
        "std of empty": lambda: t.zeros(0).std(),
        "std of empty rows": lambda: t.zeros(0, 4).std(-1),
        "std with too few": lambda: t.zeros(3, 1).std(-1),
        "var of empty rows": lambda: t.zeros(0, 4).var(-1),
        "mean of empty": lambda: t.zeros(0).mean(),
        "0/0": lambda: t.zeros(2) / t.zeros(2),
        "log of negative": lambda: t.tensor([-1.0]).log(),
        "sqrt of negative": lambda: t.tensor([-1.0]).sqrt(),
        "pow overflow": lambda: t.tensor([10.0]) ** 100,
        "exp overflow": lambda: t.tensor([1000.0]).exp(),
        "inf * 0 backward": lambda: (t.tensor([INF], requires_grad=True) * 0).sum().backward(),
    }
    for label, thunk in cases.items():
        see(label, warnings_of(thunk))


@scenario
def garbage_collector_left_as_the_user_set_it(t, see):
    x = t.ones(3, requires_grad=True)
    y = x * 2
    seen = []

    def hook(g):
        seen.append(gc.isenabled())
        gc.disable()
    y.register_hook(hook)
    try:
        y.sum().backward()
        see("collector seen by the hook", seen)
        see("collector after backward", gc.isenabled())
    finally:
        gc.enable()


# ----- threads -------------------------------------------------------------------------------

@pytest.mark.parametrize("lib", [torch, mygrad], ids=["torch", "mygrad"])
def test_concurrent_backward_into_a_shared_leaf_accumulates_every_update(lib):
    w = lib.zeros(1_000_000, requires_grad=True)
    c = lib.full((1_000_000,), 2.0)
    barrier = threading.Barrier(4)

    def work():
        barrier.wait()
        for _ in range(8):
            (w * c).sum().backward()
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = torch.full((1_000_000,), 64.0)
    assert np.array_equal(w.grad.numpy(), expected.numpy())


def test_collector_not_switched_off_while_another_thread_runs_backward():
    """Another thread must never see gc.isenabled() False because of mygrad."""
    assert gc.isenabled()
    stop = threading.Event()
    seen_off = []

    def watch():
        while not stop.is_set():
            if not gc.isenabled():
                seen_off.append(True)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(200):
            x = mygrad.ones(10, requires_grad=True)
            y = x
            for _ in range(50):
                y = y * 1.0
            y.sum().backward()
    finally:
        stop.set()
        watcher.join()
    assert not seen_off


@scenario
def signed_zero_extrema(t, see):
    rows = [[0.0, -0.0], [-0.0, 0.0], [-0.0, -0.0], [-0.0, 0.0, -0.0], [1.0, -0.0, 0.0], [-1.0, 0.0, -0.0]]
    for row in rows:
        x = t.tensor(row)
        for name in ("amax", "amin", "max", "min"):
            see(f"{name}{row}", signed(getattr(x, name)()))
        see(f"amax(0){row}", signed(x.amax(0)))
    grid = t.tensor([[0.0, -0.0], [-0.0, 0.0]])
    see("amax dim 1", signed(grid.amax(1)))
    see("amin dim 0 keepdim", signed(grid.amin(0, keepdim=True)))
    see("amax 0-d", signed(t.tensor(-0.0).amax()))


@scenario
def batched_vector_jacobian_products(t, see):
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    see.call("rows of the identity", lambda: t.autograd.grad(y, x, t.eye(3), retain_graph=True, is_grads_batched=True))
    z = y.sum(0, keepdim=True)
    see.call("a batch of 2 for a 1-element output",
             lambda: t.autograd.grad(z, x, t.tensor([[1.0], [2.0]]), retain_graph=True, is_grads_batched=True))
    w = t.tensor([4.0, 5.0], requires_grad=True)
    see.call("two inputs, one unused", lambda: t.autograd.grad(
        y, (x, w), t.ones(2, 3), retain_graph=True, is_grads_batched=True, allow_unused=True))
    try:  # (torch's message then prints the per-sample shape as it sees it under vmap: compare the class)
        t.autograd.grad(y, x, t.ones(2, 4), retain_graph=True, is_grads_batched=True)
    except RuntimeError:
        see("a batch of the wrong shape raises", "RuntimeError")


@scenario
def saved_numbers_read_back(t, see):
    x = t.ones(2, requires_grad=True)
    see("a float saved for a tensor argument", (x * 3.5).grad_fn._saved_other)
    see("an int saved for a tensor argument", (x * 3).grad_fn._saved_other)
    see("a bool saved for a tensor argument", (x * True).grad_fn._saved_other)
    see("an attribute stays a number", x.pow(2).grad_fn._saved_exponent)
    see("a saved input", (x * 2.0).grad_fn._saved_self)


@scenario
def nan_skipping_reductions(t, see):
    rows = [[NAN, 1.0, 2.0], [NAN, NAN, NAN], [3.0, -1.0, 0.5]]
    for dim in (None, 0, 1):
        for name in ("nansum", "nanmean"):
            x = t.tensor(rows, requires_grad=True)
            out = getattr(t, name)(x) if dim is None else getattr(t, name)(x, dim)
            out.sum().backward()
            see(f"{name} dim={dim}", out)
            see(f"{name} dim={dim} grad", x.grad)


@scenario
def batch_norm_without_weight_refuses_only_a_joint_double_backward(t, see):
    """torch's one double-backward node multiplies by the missing weight only when the input's and the
    bias's first-order gradients are differentiated together (autograd.functional.hessian never does)."""
    rng = np.random.default_rng(0)
    for mode in ("input", "bias", "both"):
        x = t.tensor(rng.standard_normal((4, 3)), requires_grad=True)
        b = t.tensor(rng.standard_normal(3), requires_grad=True)
        out = t.nn.functional.batch_norm(x, None, None, None, b, training=True)
        gx, gb = t.autograd.grad((out * t.tensor(rng.standard_normal((4, 3)))).sum(), (x, b), create_graph=True)
        vx, vb = t.tensor(rng.standard_normal((4, 3))), t.tensor(rng.standard_normal(3))
        total = {"input": lambda: (gx * vx).sum(), "bias": lambda: (gb * vb).sum(),
                 "both": lambda: (gx * vx).sum() + (gb * vb).sum()}[mode]()
        see.call(mode, lambda total=total, x=x, b=b: t.autograd.grad(total, (x, b), allow_unused=True))


@pytest.mark.parametrize("call", ["t.add_(w)", "t.mul_(w)", "t.copy_(w)", "t + w", "t.clamp_(max=w)"])
def test_casts_into_a_narrower_dtype_are_quiet_whatever_numpys_error_state(call):
    """torch casts a float64 subnormal into float32 as 0 and 1e300 as inf, without a word; a program that set
    NumPy's errors to raise must see the same (found by the thorough programs row: ``t.add_(w)``)."""
    results = []
    for lib in (torch, mygrad):
        t = lib.zeros(2, dtype=lib.float32)
        w = lib.tensor([1e-240, 1e300], dtype=lib.float64, requires_grad=True)   # (the in-place op records)
        with np.errstate(all="raise"):
            results.append(eval(call, {"t": t, "w": w}).detach().tolist())
    assert results[0] == results[1]
