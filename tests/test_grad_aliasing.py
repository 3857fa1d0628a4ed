"""Which results of ``autograd.grad`` share memory, in torch and in mygrad (issue 10): torch returns a
gradient that passed through a node unchanged (add, clone, the output itself) as the very tensor it was
given (the grad_output, or the implicit ones), and one its formulas only viewed (reshape, t, sum's expand)
as a view of it.  Each case compares, with torch as the oracle: which results are the same object or the
grad_output itself, which share memory, and what every result holds after an in-place edit of each one
(or the error that edit raises)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import mygrad

SHAPES = {"0-d": (), "1-d": (3,), "2-d": (2, 3)}
# (expression of x and y, the inputs differentiated: names)
CASES = [
    ("x + y", "xy"), ("x - y", "xy"), ("x * 1 + y", "xy"), ("x", "x"), ("x.clone()", "x"), ("x.clone() + y", "xy"),
    ("(x + y) + x", "xy"), ("x + x", "xx"), ("x * y", "xy"), ("x + 2", "x"), ("2 - x", "x"), ("x / 2", "x"),
    ("-x", "x"), ("x.exp()", "x"), ("x.reshape(-1)", "x"), ("x.unsqueeze(0)", "x"), ("x.t()", "x"),
    ("x.transpose(0, -1)", "x"), ("x[..., ::2]", "x"), ("x[1:]", "x"), ("x.sum()", "x"), ("x.mean()", "x"),
    ("x.sum(0)", "x"), ("x.sum(-1, keepdim=True)", "x"), ("x.clamp(-0.5, 0.5)", "x"), ("(x + y).unsqueeze(0)", "xy"),
    ("(x + y).reshape(-1)", "xy"), ("x.reshape(-1) + y.reshape(-1)", "xy"), ("x.t() + y.t()", "xy"),
    ("(x + y).sum()", "xy"), ("x.sum() + y.sum()", "xy"), ("x.detach() + y", "y"),
]


def _program(lib, expr: str, names: str, shape: tuple, given: bool):
    """The results of autograd.grad (and the grad_output, when one is given)."""
    values = {"x": np.arange(1.0, 1.0 + np.prod(shape, dtype=int)).reshape(shape) / 4,
              "y": np.arange(2.0, 2.0 + np.prod(shape, dtype=int)).reshape(shape) / 8}
    env = {k: lib.tensor(v, dtype=lib.float64, requires_grad=True) for k, v in values.items()}
    out = eval(expr, {}, env)
    if given:
        go = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)), dtype=lib.float64)
    else:
        go, out = None, out.sum()
    grads = lib.autograd.grad(out, [env[n] for n in names], go, retain_graph=True)
    return list(grads), go


def _observe(lib, expr: str, names: str, shape: tuple, given: bool) -> list:
    grads, go = _program(lib, expr, names, shape, given)
    seen = []
    tensors = grads + ([go] if go is not None else [])
    for i, a in enumerate(tensors):
        for j, b in enumerate(tensors[i + 1:], i + 1):
            seen.append((i, j, a is b, a.data_ptr() == b.data_ptr()))
    for i in range(len(tensors)):   # edit each one in turn, in a fresh program
        grads, go = _program(lib, expr, names, shape, given)
        tensors = grads + ([go] if go is not None else [])
        try:
            with lib.no_grad():
                tensors[i].mul_(0.5)
        except RuntimeError as exc:
            seen.append((i, "edit raises", str(exc)))
        seen.append((i, [t.detach().numpy().copy().tolist() for t in tensors]))
    return seen


@pytest.mark.parametrize("given", [False, True], ids=["implicit", "grad_output"])
@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("expr, names", CASES, ids=[c[0] for c in CASES])
def test_grad_results_share_memory_as_in_torch(expr, names, shape, given):
    try:
        expected = _observe(torch, expr, names, shape, given)
    except (RuntimeError, IndexError):
        pytest.skip("torch refuses the op at this shape")
    assert _observe(mygrad, expr, names, shape, given) == expected


def test_create_graph_results_share_as_in_torch():
    """With create_graph=True too: the grad_output passed through is returned itself."""
    def observe(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
        go = lib.tensor([1.0, 0.5], dtype=lib.float64)
        gx, gy = lib.autograd.grad(x + y, [x, y], go, create_graph=True)
        return gx is gy, gx is go, gx.requires_grad, gy.requires_grad
    assert observe(mygrad) == observe(torch)


# ----- .grad of a 0-d leaf: torch's AccumulateGrad keeps (steals) a first gradient that is a view -------------
# Each program runs in both libraries; then every leaf's .grad and the user's gradient, if any, are compared.
STOLEN = {
    "stack, sum, two backwards": ("t = torch.stack([x1, x2]); s = t.sum(); s.backward(retain_graph=True); "
                                  "s.backward()", ()),
    "stack, retained, two backwards": ("t = torch.stack([x2, x1]); t.retain_grad(); t.sum().backward("
                                       "retain_graph=True); t.sum().backward(retain_graph=True)", ()),
    "cat of views, sum, two backwards": ("c = torch.cat([x1.view(1), x2.view(1)]); s = c.sum(); "
                                         "s.backward(retain_graph=True); s.backward()", ()),
    "sum of a 0-d leaf, a given gradient": ("s = x1.sum(); s.backward(g, retain_graph=True); s.backward(g)", ()),
    "stack, a given gradient": ("t = torch.stack([x1, x2]); t.backward(g, retain_graph=True); t.backward(g)", (2,)),
    "stack, zero_ one": ("t = torch.stack([x1, x2]); t.sum().backward(); x1.grad.zero_()", ()),
    "stack, mean (a fresh gradient)": ("t = torch.stack([x1, x2]); s = t.mean(); s.backward(retain_graph=True); "
                                       "s.backward()", ()),
    "mul (a fresh gradient)": ("s = (x1 * 3).sum(); s.backward(retain_graph=True); s.backward()", ()),
    # (add hands both leaves one gradient: the first copies it, the last steals it)
    "add of two leaves, sum, two backwards": ("s = (x2 + x1).sum(); s.backward(retain_graph=True); s.backward()",
                                              ()),
    "add, a leaf twice, two backwards": ("s = (x1 + x2 + x1).sum(); s.backward(retain_graph=True); s.backward()",
                                         ()),
    "sub, a given gradient": ("s = (x1 - x2).sum(); s.backward(g, retain_graph=True); s.backward(g)", ()),
}


def _stolen_run(lib, program: str, g_shape: tuple) -> list:
    env = {"torch": lib, "x1": lib.tensor(1.5, requires_grad=True), "x2": lib.tensor(-0.5, requires_grad=True),
           "g": lib.tensor(np.arange(1.0, 1.0 + int(np.prod(g_shape))).reshape(g_shape))}
    exec(program, env)
    return [None if env[n].grad is None else env[n].grad.numpy().tolist() for n in ("x1", "x2")] + \
        [env["g"].numpy().tolist()]


@pytest.mark.parametrize("name", list(STOLEN))
def test_a_leafs_first_gradient_is_kept_as_torch_keeps_it(name):
    program, g_shape = STOLEN[name]
    assert _stolen_run(mygrad, program, g_shape) == _stolen_run(torch, program, g_shape)
