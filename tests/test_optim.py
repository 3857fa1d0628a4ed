"""torch.optim's API around the updates, against torch: misuse and its errors, groups, zero_grad,
closures, state dicts (their layout, loading, mismatches), repr, schedulers' checks, warnings and
state dicts.  Paired scenarios (see paired.py); the update arithmetic itself is checked step by
step in test_optim_trajectories.py."""
from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from paired import scenario_suite

import mygrad

scenario, test_matches_torch = scenario_suite()

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax"]


def tree(value):
    """Nested dicts (state dicts) as key-ordered pairs, so that paired.describe can compare them."""
    if isinstance(value, dict):
        return tuple((k, tree(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(tree(v) for v in value)
    return value


def params(t, seed=0):
    rng = np.random.default_rng(seed)
    return [t.tensor(rng.uniform(-1, 1, (2, 3)), dtype=t.float32, requires_grad=True),
            t.tensor(rng.uniform(-1, 1, (3,)), dtype=t.float32, requires_grad=True)]


def set_grads(t, ps, seed=1):
    rng = np.random.default_rng(seed)
    for p in ps:
        p.grad = t.tensor(rng.uniform(-1, 1, tuple(p.shape)), dtype=t.float32)


# ----- parameters given wrongly --------------------------------------------------------------------
@scenario
def params_given_wrongly(t, see):
    x = t.ones(2, requires_grad=True)
    see.call("non-leaf", lambda: repr(t.optim.SGD([x * 2], lr=0.1)))
    see.call("a tensor, not an iterable", lambda: repr(t.optim.SGD(x, lr=0.1)))
    see.call("a set as the params (listed first)", lambda: repr(t.optim.Adam({x})))
    see.call("a set in a group", lambda: repr(t.optim.Adam([{"params": {x}}])))
    see.call("empty", lambda: repr(t.optim.Adam([])))
    see.call("not a tensor", lambda: repr(t.optim.SGD([x, 3.0], lr=0.1)))
    see.call("in two groups", lambda: repr(t.optim.SGD([{"params": [x]}, {"params": [x], "lr": 1.0}], lr=0.1)))
    see.call("group not a dict", lambda: t.optim.SGD([x], lr=0.1).add_param_group([x]))
    see.call("names for some only", lambda: repr(t.optim.SGD([("w", x), t.ones(1, requires_grad=True)], lr=0.1)))
    retained = x * 2
    retained.retain_grad()
    see.call("non-leaf that retains grad", lambda: len(t.optim.SGD([retained], lr=0.1).param_groups))


@pytest.mark.parametrize("lib", [torch, mygrad], ids=["torch", "mygrad"])
def test_duplicate_parameters_warn(lib):
    x = lib.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        lib.optim.SGD([x, x], lr=0.1)


INVALID = {
    "SGD": [{"lr": -0.1}, {"momentum": -0.5}, {"weight_decay": -1.0}, {"nesterov": True},
            {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, {"lr": float("nan")}],
    "Adam": [{"lr": -1.0}, {"eps": -1e-8}, {"betas": (1.0, 0.9)}, {"betas": (0.9, -0.1)}, {"weight_decay": -1.0},
             {"betas": (0, 0.9)}],
    "AdamW": [{"lr": -1.0}, {"betas": (0.5, 1.0)}, {"weight_decay": -0.1}],
    "RMSprop": [{"lr": -1.0}, {"eps": -1.0}, {"momentum": -1.0}, {"weight_decay": -1.0}, {"alpha": -0.5}],
    "Adagrad": [{"lr": -1.0}, {"lr_decay": -1.0}, {"weight_decay": -1.0}, {"initial_accumulator_value": -1.0},
                {"eps": -1.0}],
    "Adamax": [{"lr": -1.0}, {"eps": -1.0}, {"betas": (1.5, 0.9)}, {"betas": (0.9, 1.0)}, {"weight_decay": -1.0}],
}


@scenario
def invalid_hyper_parameters(t, see):
    for name, cases in INVALID.items():
        for kwargs in cases:
            see.call(f"{name}({kwargs})",
                     lambda name=name, kwargs=kwargs: repr(getattr(t.optim, name)(params(t), **kwargs)))


# ----- groups, zero_grad, closures, repr ------------------------------------------------------------
@scenario
def groups_and_defaults(t, see):
    w, b = params(t)
    opt = t.optim.SGD([{"params": [w]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    see("repr", repr(opt))
    see("groups", tree([{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]))
    see("defaults", tree(opt.defaults))
    extra = t.zeros(4, requires_grad=True)
    opt.add_param_group({"params": extra, "weight_decay": 0.1})
    see("after add_param_group", tree(opt.state_dict()))
    named = t.optim.Adam([("w", w), ("b", b)], lr=0.01)
    see("named groups", tree(named.state_dict()))
    see.call("named then unnamed", lambda: named.add_param_group({"params": [extra]}))
    for name in OPTIMIZERS:
        see(f"{name} repr", repr(getattr(t.optim, name)(params(t))))


@scenario
def zero_grad_and_closure(t, see):
    ps = params(t)
    opt = t.optim.SGD(ps, lr=0.1)
    set_grads(t, ps)
    opt.zero_grad(set_to_none=False)
    see("zeroed", [p.grad for p in ps])
    opt.zero_grad()
    see("set to none", [p.grad is None for p in ps])
    calls = []

    def closure():
        calls.append(t.is_grad_enabled())
        opt.zero_grad()
        loss = sum((p ** 2).sum() for p in ps)
        loss.backward()
        return loss

    with t.no_grad():
        loss = opt.step(closure)
    see("closure loss", loss)
    see("closure ran with grad enabled", calls)
    see("params after", ps)
    see("step without closure returns", opt.step())
    see("versions bumped", [p._version > 0 for p in ps])


@scenario
def parameters_without_grad_are_skipped(t, see):
    for name in OPTIMIZERS:
        ps = params(t)
        opt = getattr(t.optim, name)(ps)
        ps[0].grad = t.ones(2, 3)
        opt.step()
        see(f"{name} params", ps)
        see(f"{name} state", tree(opt.state_dict()))


# ----- state dicts ----------------------------------------------------------------------------------
@scenario
def state_dict_round_trip(t, see):
    for name in OPTIMIZERS:
        ps = params(t)
        opt = getattr(t.optim, name)(ps, lr=0.05)
        for seed in range(3):
            set_grads(t, ps, seed)
            opt.step()
        state = opt.state_dict()
        see(f"{name} state_dict", tree(state))
        copies = [p.detach().clone().requires_grad_() for p in ps]
        other = getattr(t.optim, name)(copies, lr=0.5)
        other.load_state_dict(state)
        see(f"{name} loaded", tree(other.state_dict()))
        for opt_, ps_ in ((opt, ps), (other, copies)):
            set_grads(t, ps_, 9)
            opt_.step()
        see(f"{name} continued", ps)
        see(f"{name} continued after loading", copies)


@scenario
def load_state_dict_mismatches(t, see):
    ps = params(t)
    opt = t.optim.Adam(ps)
    set_grads(t, ps)
    opt.step()
    state = opt.state_dict()
    one = t.optim.Adam(params(t)[:1])
    see.call("group size", lambda: one.load_state_dict(state))
    two = t.optim.Adam([{"params": [p]} for p in params(t)])
    see.call("number of groups", lambda: two.load_state_dict(state))
    see.call("missing param_groups", lambda: t.optim.Adam(params(t)).load_state_dict({"state": {}}))
    double = t.optim.Adam([p.detach().double().requires_grad_() for p in params(t)])
    double.load_state_dict(state)
    see("state cast to the parameters' dtype (step kept)", tree(double.state_dict()))


# ----- schedulers -----------------------------------------------------------------------------------
@scenario
def scheduler_checks(t, see):
    s = t.optim.lr_scheduler

    def opt():
        return t.optim.SGD(params(t), lr=0.1, momentum=0.9)

    see.call("not an optimizer", lambda: s.StepLR("sgd", 2))
    see.call("LinearLR start", lambda: s.LinearLR(opt(), start_factor=0.0))
    see.call("LinearLR end", lambda: s.LinearLR(opt(), end_factor=1.5))
    see.call("plateau factor", lambda: s.ReduceLROnPlateau(opt(), factor=1.0))
    see.call("plateau mode", lambda: s.ReduceLROnPlateau(opt(), mode="median"))
    see.call("plateau min_lrs", lambda: s.ReduceLROnPlateau(opt(), min_lr=[0.1, 0.2]))
    see.call("OneCycle without steps", lambda: s.OneCycleLR(opt(), max_lr=0.1))
    see.call("OneCycle pct", lambda: s.OneCycleLR(opt(), max_lr=0.1, total_steps=10, pct_start=1.5))
    see.call("OneCycle anneal", lambda: s.OneCycleLR(opt(), max_lr=0.1, total_steps=10, anneal_strategy="x"))
    see.call("OneCycle no momentum", lambda: s.OneCycleLR(t.optim.Adagrad(params(t)), max_lr=0.1, total_steps=5))
    see.call("resume without initial_lr", lambda: s.StepLR(opt(), 2, last_epoch=3))
    o = opt()
    see.call("Sequential milestones", lambda: s.SequentialLR(o, [s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]))
    see.call("LambdaLR count", lambda: s.LambdaLR(o, [lambda e: 1.0, lambda e: 2.0]))
    o = opt()
    cycle = s.OneCycleLR(o, max_lr=0.1, total_steps=2)
    o.step()
    cycle.step()
    see.call("OneCycle past its steps", lambda: (cycle.step(), cycle.step()))


@scenario
def scheduler_warnings_and_state(t, see):
    s = t.optim.lr_scheduler
    ps = params(t)
    opt = t.optim.SGD(ps, lr=0.1)
    step_lr = s.StepLR(opt, step_size=2, gamma=0.5)
    see.call("scheduler before optimizer", lambda: step_lr.step())
    see.call("get_lr outside step", lambda: step_lr.get_lr())
    see.call("step with epoch", lambda: step_lr.step(5))
    see("last lr", step_lr.get_last_lr())
    state = step_lr.state_dict()
    see("state keys", sorted(state))
    see("state", tree({k: v for k, v in sorted(state.items())}))
    opt2 = t.optim.SGD(params(t), lr=0.1)
    other = s.StepLR(opt2, step_size=7)
    other.load_state_dict(state)
    see("loaded", (other.step_size, other.last_epoch, other.get_last_lr()))
    cosine = s.CosineAnnealingLR(t.optim.SGD(params(t), lr=1.0), T_max=3)
    lrs = []
    for _ in range(8):
        cosine.optimizer.step()
        cosine.step()
        lrs.append(cosine.get_last_lr()[0])
    see("cosine lrs", lrs)
    plateau = s.ReduceLROnPlateau(t.optim.Adam(params(t), lr=1.0), patience=0, cooldown=1)
    history = []
    for metric in (1.0, 2.0, 2.0, 0.5, 3.0, 3.0, 3.0):
        plateau.step(metric)
        history.append(plateau.get_last_lr()[0])
    see("plateau lrs", history)
    see("plateau state", tree({k: v for k, v in sorted(plateau.state_dict().items())}))
    multi = s.MultiStepLR(t.optim.SGD(params(t), lr=1.0), milestones=[2, 2, 4], gamma=0.5)
    got = []
    for _ in range(6):
        multi.optimizer.step()
        multi.step()
        got.append(multi.get_last_lr())
    see("multistep repeated milestones", got)
    see("milestones", dict(multi.state_dict()["milestones"]))


@scenario
def one_cycle_sets_momentum_and_betas(t, see):
    s = t.optim.lr_scheduler
    sgd = t.optim.SGD(params(t), lr=0.1, momentum=0.9)
    adam = t.optim.Adam(params(t), lr=0.1)
    cycles = [s.OneCycleLR(sgd, max_lr=1.0, total_steps=6, three_phase=True),
              s.OneCycleLR(adam, max_lr=[0.5], total_steps=6, anneal_strategy="linear")]
    for _ in range(5):
        for c in cycles:
            c.optimizer.step()
            c.step()
            see("lr", c.get_last_lr())
        see("momentum", sgd.param_groups[0]["momentum"])
        see("betas", adam.param_groups[0]["betas"])
    see("groups", tree([{k: v for k, v in g.items() if k != "params"} for g in sgd.param_groups]))


@scenario
def sequential_lr(t, see):
    s = t.optim.lr_scheduler
    opt = t.optim.SGD(params(t), lr=1.0)
    warm = s.LinearLR(opt, start_factor=0.1, total_iters=3)
    decay = s.ExponentialLR(opt, gamma=0.9)
    seq = s.SequentialLR(opt, [warm, decay], milestones=[3])
    lrs = [seq.get_last_lr()]
    for _ in range(7):
        opt.step()
        seq.step()
        lrs.append(seq.get_last_lr())
    see("lrs", lrs)
    state = seq.state_dict()
    see("keys", sorted(state))
    see("inner", [sorted(x) for x in state["_schedulers"]])


@scenario
def user_defined_optimizer(t, see):
    """A torch-style subclass: its own step under no_grad, state in self.state, a scheduler on it."""

    class SignSGD(t.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            if lr < 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, {"lr": lr})

        @t.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    state["count"] = state.get("count", 0) + 1
                    p.add_(p.grad.sign(), alpha=-group["lr"])

    ps = params(t)
    opt = SignSGD(ps, lr=0.25)
    sched = t.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    for seed in range(3):
        set_grads(t, ps, seed)
        opt.step()
        sched.step()
    see("params", ps)
    see("state_dict", tree(opt.state_dict()))
    see("lr", sched.get_last_lr())
    see("repr", repr(opt))


@scenario
def tensor_learning_rates(t, see):
    see.call("two-element lr", lambda: repr(t.optim.SGD(params(t), lr=t.tensor([0.1, 0.2]))))
    for name in OPTIMIZERS:
        ps = params(t)
        opt = getattr(t.optim, name)(ps, lr=t.tensor(0.01))
        sched = t.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        for seed in range(2):
            set_grads(t, ps, seed)
            opt.step()
            sched.step()
        see(f"{name} params", ps)
        see(f"{name} lr stays a tensor", (opt.param_groups[0]["lr"], sched.get_last_lr()))


def test_differentiable_updates_are_refused():
    """torch records the update in the graph with differentiable=True; mygrad says it does not."""
    for name in OPTIMIZERS:
        with pytest.raises(NotImplementedError, match="differentiable=True"):
            getattr(mygrad.optim, name)(params(mygrad), differentiable=True)


@scenario
def hooks(t, see):
    """Step, state_dict and load_state_dict hooks, global step hooks, and removal."""
    calls = []
    ps = params(t)
    opt = t.optim.SGD(ps, lr=0.1)
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", len(args), sorted(kwargs))))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
    optimizer_module = sys.modules[t.__name__ + ".optim.optimizer"]  # imported by t.optim; no new attribute
    glob = optimizer_module.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global pre"))
    set_grads(t, ps)
    opt.step()
    pre.remove()
    glob.remove()
    opt.step()
    see("step hooks", calls)
    opt.register_step_pre_hook(lambda o, args, kwargs: 3)
    try:
        opt.step()
    except RuntimeError as exc:  # the message starts with the step function's repr (an address)
        see("a pre hook returning junk", str(exc).split(" at 0x")[0] + str(exc).split(">")[-1])
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre"))
    see("state_dict keys", sorted(opt.state_dict()))
    other = t.optim.SGD(params(t), lr=0.5)
    other.register_load_state_dict_pre_hook(lambda o, sd: {**sd, "param_groups": [{**sd["param_groups"][0], "lr": 7.0}]})
    other.register_load_state_dict_post_hook(lambda o: calls.append("loaded"))
    other.load_state_dict(t.optim.SGD(params(t), lr=0.25).state_dict())
    see("loaded lr", other.param_groups[0]["lr"])
    see("calls", calls)
