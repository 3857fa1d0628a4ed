"""torch.nn.utils (clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters)
against torch, as paired scenarios (see paired.py)."""
from __future__ import annotations

import numpy as np
from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


def params_with_grads(t, scale=3.0, dtype=None, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(2, 3), (3,), ()]
    ps = [t.tensor(rng.uniform(-1, 1, s), dtype=dtype or t.float32, requires_grad=True) for s in shapes]
    for p in ps:
        p.grad = t.tensor(scale * rng.uniform(-1, 1, tuple(p.shape)), dtype=p.dtype)
    return ps


@scenario
def clip_grad_norm_norm_types(t, see):
    for norm_type in (2.0, 1, 3.5, float("inf"), 0.5, "inf"):
        for max_norm in (0.5, 100.0):
            for dtype in (t.float32, t.float64):
                ps = params_with_grads(t, dtype=dtype)
                total = see.call(f"norm {norm_type} max {max_norm} {dtype}",
                                 lambda ps=ps, m=max_norm, n=norm_type: t.nn.utils.clip_grad_norm_(ps, m, norm_type=n))
                see("grads", [p.grad for p in ps])
                if total is not None:
                    see("requires_grad of the norm", total.requires_grad)


@scenario
def clip_grad_norm_inputs(t, see):
    ps = params_with_grads(t)
    see("one tensor", t.nn.utils.clip_grad_norm_(ps[0], 1.0))
    see("grad", ps[0].grad)
    see("a generator", t.nn.utils.clip_grad_norm_((p for p in ps), 1.0, foreach=True))
    see.call("an empty generator", lambda: t.nn.utils.clip_grad_norm_((p for p in []), 1.0))
    see.call("an empty list", lambda: t.nn.utils.clip_grad_norm_([], 1.0))
    no_grads = [t.ones(2, requires_grad=True)]
    see.call("no grads", lambda: t.nn.utils.clip_grad_norm_(no_grads, 1.0))
    ps = params_with_grads(t)
    ps[1].grad = None
    see("some without grad", t.nn.utils.clip_grad_norm_(ps, 1.0, foreach=False))
    see("grads", [p.grad for p in ps])


@scenario
def clip_grad_norm_non_finite(t, see):
    for bad in (float("inf"), float("nan"), -float("inf")):
        for norm_type in (2.0, float("inf")):
            ps = params_with_grads(t)
            ps[1].grad[0] = bad
            see.call(f"{bad} norm {norm_type} error", lambda ps=ps, n=norm_type: t.nn.utils.clip_grad_norm_(
                ps, 1.0, norm_type=n, error_if_nonfinite=True))
            see("grads untouched", [p.grad for p in ps])
            see.call(f"{bad} norm {norm_type} no error",
                     lambda ps=ps, n=norm_type: t.nn.utils.clip_grad_norm_(ps, 1.0, n))
            see("grads scaled", [p.grad for p in ps])


@scenario
def clip_grad_value(t, see):
    ps = params_with_grads(t)
    see.call("clip", lambda: t.nn.utils.clip_grad_value_(ps, 0.75))
    see("grads", [p.grad for p in ps])
    see.call("one tensor, int value", lambda: t.nn.utils.clip_grad_value_(ps[0], 0))
    see("grad", ps[0].grad)


@scenario
def vectors(t, see):
    ps = params_with_grads(t)
    vec = see.call("to vector", lambda: t.nn.utils.parameters_to_vector(ps))
    see("grad_fn", vec.grad_fn)
    vec.sum().backward()
    see("grads through the vector", [p.grad for p in ps])
    new = t.arange(10, dtype=t.float32)
    see.call("from vector", lambda: t.nn.utils.vector_to_parameters(new, ps))
    see("params", ps)
    see("still leaves", [(p.is_leaf, p.requires_grad) for p in ps])
    see.call("not a tensor", lambda: t.nn.utils.vector_to_parameters([1.0, 2.0], ps))
    see.call("too short", lambda: t.nn.utils.vector_to_parameters(t.ones(3), ps))
