"""Records for torch.optim: one row per optimizer, each example a whole trajectory.

An example draws the optimizer's hyper-parameters (now and then one torch refuses, so the
``errors`` check sees both libraries refuse it alike), one to three parameters of drawn shapes,
in one group or one group each with its own learning rate, a gradient per parameter per step
(sometimes None: the parameter is skipped that step), and an lr scheduler (or none).  The call
form runs the steps (``optimizer.step()`` then ``scheduler.step()``) and returns, after every
step, each parameter, each state tensor in key order (``step``, ``exp_avg``, ...) and a float64
vector of every group's numeric options (lr, momentum or betas, as the scheduler left them), so
the ``value``/``shape``/``dtype`` checks compare the whole trajectory.  The same strategies drive
``tests/test_optim_trajectories.py``, which also compares the state dicts' structure, the
schedulers' state dicts and warnings.

Tolerance: SGD and Adamax rows compare exactly (every operation rounds as torch's CPU kernels do,
fused multiply-adds included).  Adam, AdamW, RMSprop and Adagrad take a square root, which torch's
vectorised CPU kernel does not always round correctly (1 ulp now and then), and carry that
forward: their rows use a base pair a little above float rounding.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg

UNIT = st.floats(0.0, 0.99, allow_nan=False)
SMALL = st.floats(0.0, 0.2, allow_nan=False)
SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


def maybe_invalid(valid, invalid=-0.5):
    """Mostly valid values, and now and then (1 in 40) one torch refuses."""
    return st.integers(0, 39).flatmap(lambda i: st.just(invalid) if i == 0 else valid)


def betas():
    return st.tuples(maybe_invalid(UNIT, 1.0), maybe_invalid(st.floats(0.0, 0.999), -0.1))


# RMSprop's alpha starts at 0.05: centered with alpha = 0 it divides by the square root of an exact
# cancellation (a one-sample variance, i.e. a rounding error), where a 1-ulp difference in an
# earlier step's sqrt becomes an arbitrary one.  Both libraries compute the same formula there.
HYPER_PARAMETERS = {
    "SGD": st.fixed_dictionaries({
        "lr": maybe_invalid(st.floats(0.0, 0.5)), "momentum": st.one_of(st.just(0.0), maybe_invalid(UNIT)),
        "dampening": st.one_of(st.just(0.0), UNIT), "weight_decay": st.one_of(st.just(0.0), SMALL),
        "nesterov": st.sampled_from([False, False, True]), "maximize": st.booleans()}),
    "Adam": st.fixed_dictionaries({
        "lr": maybe_invalid(st.floats(0.0, 0.1)), "betas": betas(),
        "eps": st.sampled_from([1e-8, 1e-6, 1e-3]), "weight_decay": st.one_of(st.just(0.0), maybe_invalid(SMALL)),
        "amsgrad": st.booleans(), "maximize": st.booleans()}),
    "AdamW": st.fixed_dictionaries({
        "lr": maybe_invalid(st.floats(0.0, 0.1)), "betas": betas(), "eps": st.sampled_from([1e-8, 1e-4]),
        "weight_decay": st.one_of(st.just(1e-2), SMALL), "amsgrad": st.booleans(), "maximize": st.booleans()}),
    "RMSprop": st.fixed_dictionaries({
        "lr": maybe_invalid(st.floats(0.0, 0.1)), "alpha": maybe_invalid(st.floats(0.05, 0.99)),
        "eps": st.sampled_from([1e-8, 1e-3]), "weight_decay": st.one_of(st.just(0.0), SMALL),
        "momentum": st.one_of(st.just(0.0), maybe_invalid(UNIT)), "centered": st.booleans(),
        "maximize": st.booleans()}),
    "Adagrad": st.fixed_dictionaries({
        "lr": maybe_invalid(st.floats(0.0, 0.5)), "lr_decay": st.one_of(st.just(0.0), maybe_invalid(SMALL)),
        "weight_decay": st.one_of(st.just(0.0), SMALL),
        "initial_accumulator_value": st.one_of(st.just(0.0), maybe_invalid(st.floats(0.0, 1.0))),
        "eps": st.sampled_from([1e-10, 1e-6]), "maximize": st.booleans()}),
    "Adamax": st.fixed_dictionaries({
        "lr": maybe_invalid(st.floats(0.0, 0.1)), "betas": betas(), "eps": st.sampled_from([1e-8, 1e-3]),
        "weight_decay": st.one_of(st.just(0.0), SMALL), "maximize": st.booleans()}),
}

SCHEDULERS = [None, "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "OneCycleLR",
              "ReduceLROnPlateau", "LinearLR", "SequentialLR", "ConstantLR", "PolynomialLR", "MultiplicativeLR",
              "ChainedScheduler"]


@st.composite
def schedulers(draw, steps: int):
    """``(name, kwargs)`` of a scheduler, or None.  LambdaLR and MultiplicativeLR use the lambda written
    in the call; SequentialLR is a LinearLR warm-up then an ExponentialLR, ChainedScheduler a
    ConstantLR and an ExponentialLR together (kwargs ``warmup``, ``gamma``)."""
    name = draw(st.sampled_from(SCHEDULERS))
    gamma = st.floats(0.1, 1.0)
    if name is None:
        return None
    if name == "StepLR":
        return name, {"step_size": draw(st.integers(1, 4)), "gamma": draw(gamma)}
    if name == "MultiStepLR":
        return name, {"milestones": draw(st.lists(st.integers(1, 8), max_size=4)), "gamma": draw(gamma)}
    if name == "ExponentialLR":
        return name, {"gamma": draw(gamma)}
    if name == "CosineAnnealingLR":
        return name, {"T_max": draw(st.integers(1, 6)), "eta_min": draw(st.sampled_from([0.0, 1e-4]))}
    if name in ("LambdaLR", "MultiplicativeLR"):
        return name, {}
    if name == "ConstantLR":
        return name, {"factor": draw(st.floats(0.0, 1.0)), "total_iters": draw(st.integers(0, 5))}
    if name == "PolynomialLR":
        return name, {"total_iters": draw(st.integers(1, 6)), "power": draw(st.floats(0.5, 3.0))}
    if name == "OneCycleLR":
        return name, {"max_lr": draw(st.floats(0.01, 0.5)), "total_steps": steps + draw(st.integers(0, 3)),
                      "pct_start": draw(st.floats(0.1, 0.9)),
                      "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
                      "three_phase": draw(st.booleans()), "cycle_momentum": draw(st.booleans())}
    if name == "ReduceLROnPlateau":
        return name, {"mode": draw(st.sampled_from(["min", "max"])), "factor": draw(st.floats(0.1, 0.9)),
                      "patience": draw(st.integers(0, 2)), "threshold": draw(st.sampled_from([1e-4, 0.1])),
                      "threshold_mode": draw(st.sampled_from(["rel", "abs"])), "cooldown": draw(st.integers(0, 2)),
                      "min_lr": draw(st.sampled_from([0.0, 1e-3]))}
    if name == "LinearLR":
        return name, {"start_factor": draw(st.floats(0.1, 1.0)), "end_factor": draw(st.floats(0.0, 1.0)),
                      "total_iters": draw(st.integers(1, 5))}
    return name, {"warmup": draw(st.integers(1, 4)), "gamma": draw(gamma)}


@st.composite
def programs(draw, name: str, dtype):
    """Everything one trajectory needs, as plain data: arrays of ``dtype``, hyper-parameters, scheduler."""
    options = draw(HYPER_PARAMETERS[name])
    n_params = draw(st.integers(1, 3))
    param_shapes = [draw(SHAPES) for _ in range(n_params)]
    steps = draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    params = [rng.uniform(-2, 2, s).astype(dtype) for s in param_shapes]
    grads = [[None if rng.random() < 0.1 else rng.uniform(-3, 3, s).astype(dtype) for s in param_shapes]
             for _ in range(steps)]
    metrics = [float(v) for v in rng.uniform(0, 1, steps)]
    grouped = n_params > 1 and draw(st.booleans())
    group_lrs = [draw(st.floats(0.0, 0.2)) for _ in range(n_params)] if grouped else None
    return {"dtype": dtype, "name": name, "options": options, "params": params, "grads": grads,
            "metrics": metrics, "group_lrs": group_lrs, "scheduler": draw(schedulers(steps))}


def trajectory(name: str):
    """The example builder of one optimizer's row."""
    def build(dtype: str):
        def example(program):
            params = [TensorArg(p) for p in program["params"]]
            grads = [[None if g is None else TensorArg(g, requires_grad=False) for g in step]
                     for step in program["grads"]]
            return Example((params, grads, program["metrics"]),
                           {"optimizer": name, "options": program["options"], "group_lrs": program["group_lrs"],
                            "scheduler": program["scheduler"]})
        return programs(name, np.dtype(dtype).type).map(example)
    return build


def optimizer_trajectory(lib, params, grads, metrics, optimizer, options, group_lrs, scheduler):
    """Run the steps on copies of ``params``; return every parameter, state tensor and group option
    after every step."""
    params = [p.detach().clone().requires_grad_() for p in params]
    groups = params if group_lrs is None else [{"params": [p], "lr": lr} for p, lr in zip(params, group_lrs)]
    opt = getattr(lib.optim, optimizer)(groups, **options)
    schedulers = lib.optim.lr_scheduler
    sched = None
    if scheduler is not None:
        kind, kwargs = scheduler
        if kind == "SequentialLR":
            first = schedulers.LinearLR(opt, start_factor=0.25, total_iters=kwargs["warmup"])
            second = schedulers.ExponentialLR(opt, gamma=kwargs["gamma"])
            sched = schedulers.SequentialLR(opt, [first, second], milestones=[kwargs["warmup"]])
        elif kind == "ChainedScheduler":
            first = schedulers.ConstantLR(opt, factor=0.5, total_iters=kwargs["warmup"])
            sched = schedulers.ChainedScheduler([first, schedulers.ExponentialLR(opt, gamma=kwargs["gamma"])])
        elif kind in ("LambdaLR", "MultiplicativeLR"):
            sched = getattr(schedulers, kind)(opt, lambda epoch: 0.5 ** (epoch // 2) + 0.1 * epoch)
        else:
            sched = getattr(schedulers, kind)(opt, **kwargs)
    seen = []
    for step_grads, metric in zip(grads, metrics):
        for p, g in zip(params, step_grads):
            p.grad = g
        opt.step()
        if sched is not None:
            sched.step(metric) if scheduler[0] == "ReduceLROnPlateau" else sched.step()
        seen += [p.detach().clone() for p in params]
        for state in opt.state_dict()["state"].values():
            seen += [state[key].clone() for key in sorted(state)]
        options_now = []
        for group in opt.param_groups:
            options_now.append(float(group["lr"]))
            options_now += [float(b) for b in group.get("betas", ())] + [float(group.get("momentum", 0.0))]
        seen.append(lib.tensor(options_now, dtype=lib.float64))
    return tuple(seen)


EXACT = {"float32": (0.0, 0.0), "float64": (0.0, 0.0)}  # no sqrt: bit for bit
NEAR = {"float32": (1e-6, 1e-6), "float64": (1e-12, 1e-12)}

RECORDS = [
    Record(name, trajectory(name), forms=("call",), namespace="optim", call=optimizer_trajectory,
           label=f"optim.{name}", grad=False, second_order=False, output="tuple",
           tolerance=EXACT if name in ("SGD", "Adamax") else NEAR)
    for name in HYPER_PARAMETERS
]
