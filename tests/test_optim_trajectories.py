"""Optimizer and scheduler trajectories against torch, step by step (Hypothesis-driven).

Each example draws, with the strategies of the conformance rows (conformance/records/optim.py),
an optimizer with hyper-parameters (now and then an invalid one: then both libraries must refuse
it alike), parameters of several shapes in one or more groups, a gradient per parameter per step
(sometimes None: the parameter is skipped) and an lr scheduler.  The same program runs in torch
and in mygrad; after every step the parameters, the whole ``optimizer.state_dict()`` (keys, group
options exactly, state tensors' dtype, shape and values), ``scheduler.get_last_lr()`` and
``scheduler.state_dict()``, and the warnings must agree.  Learning rates are pure Python
arithmetic, so they must be equal.  SGD and Adamax tensors must be bit-identical (every operation
rounds as torch's CPU kernels do); Adam, AdamW, RMSprop and Adagrad take a square root, which
torch computes to 1 ulp now and then, so theirs agree within the tolerance below.

Two more tests train in both libraries and compare every step: a two-layer network built from plain
tensors (loss, backward, clip_grad_norm_, optimizer, scheduler, zero_grad), and an nn.Sequential
with torch's initial weights, two parameter groups and CrossEntropyLoss (losses, clipped norms,
learning rates, the model's and the optimizer's state dicts).
"""
from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import mygrad
from conformance.records.optim import HYPER_PARAMETERS, programs

# CI draws the same examples every run; OPTIM_TRAJECTORY_EXAMPLES=N explores N fresh ones per optimizer.
EXAMPLES = settings(max_examples=int(os.environ.get("OPTIM_TRAJECTORY_EXAMPLES", "40")), deadline=None,
                    database=None, derandomize="OPTIM_TRAJECTORY_EXAMPLES" not in os.environ,
                    suppress_health_check=list(HealthCheck))
TOLERANCE = {np.float32: 2e-5, np.float64: 1e-12}
EXACT = {"SGD", "Adamax"}  # no sqrt: every operation rounds as torch's does, so values must be equal


def lr_lambda(epoch):
    """The same function object serves both libraries (LambdaLR, MultiplicativeLR)."""
    return 0.5 ** (epoch // 2) + 0.1 * epoch


def make_scheduler(lib, opt, spec):
    if spec is None:
        return None
    name, kwargs = spec
    schedulers_ = lib.optim.lr_scheduler
    if name == "SequentialLR":
        first = schedulers_.LinearLR(opt, start_factor=0.25, total_iters=kwargs["warmup"])
        second = schedulers_.ExponentialLR(opt, gamma=kwargs["gamma"])
        return schedulers_.SequentialLR(opt, [first, second], milestones=[kwargs["warmup"]])
    if name == "ChainedScheduler":
        first = schedulers_.ConstantLR(opt, factor=0.5, total_iters=kwargs["warmup"])
        return schedulers_.ChainedScheduler([first, schedulers_.ExponentialLR(opt, gamma=kwargs["gamma"])])
    if name in ("LambdaLR", "MultiplicativeLR"):
        return getattr(schedulers_, name)(opt, lr_lambda)
    return getattr(schedulers_, name)(opt, **kwargs)


def run(lib, program):
    """The program in ``lib``: what the user sees after construction and after every step."""
    seen = []
    params = [lib.tensor(p.copy(), requires_grad=True) for p in program["params"]]
    if program["group_lrs"] is None:
        groups = params
    else:
        groups = [{"params": [p], "lr": lr} for p, lr in zip(params, program["group_lrs"])]
    try:
        opt = getattr(lib.optim, program["name"])(groups, **program["options"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler = make_scheduler(lib, opt, program["scheduler"])
    except Exception as exc:  # noqa: BLE001 - the class and message are compared
        return [("construct raises", type(exc).__name__, str(exc))]
    seen.append(("construct warns", [str(w.message) for w in caught]))
    seen.append(("state_dict", describe(opt.state_dict())))
    for step, (grads, metric) in enumerate(zip(program["grads"], program["metrics"])):
        for p, g in zip(params, grads):
            p.grad = None if g is None else lib.tensor(g.copy())
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                opt.step()
                if scheduler is not None:
                    if program["scheduler"][0] == "ReduceLROnPlateau":
                        scheduler.step(metric)
                    else:
                        scheduler.step()
        except Exception as exc:  # noqa: BLE001
            seen.append((f"step {step} raises", type(exc).__name__, str(exc)))
            break
        seen.append((f"step {step} warns", [str(w.message) for w in caught]))
        seen.append((f"step {step} params", [p.detach().numpy().copy() for p in params]))
        seen.append((f"step {step} state_dict", describe(opt.state_dict())))
        if scheduler is not None:
            seen.append((f"step {step} last_lr", scheduler.get_last_lr()))
            seen.append((f"step {step} scheduler state", describe(scheduler.state_dict())))
    return seen


def describe(value):
    """A library-neutral copy: tensors as (dtype, array); functions and optimizers by name."""
    if isinstance(value, (torch.Tensor, mygrad.Tensor)):
        return ("tensor", str(value.dtype).split(".")[-1], value.detach().numpy().copy())
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(describe(v) for v in value)
    if callable(value):
        return ("callable", getattr(value, "__name__", type(value).__name__))
    return value


def assert_same(expected, actual, tol: float, path="") -> None:
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray) and actual.dtype == expected.dtype, f"{path}: {actual!r}"
        assert actual.shape == expected.shape, f"{path}: shape {actual.shape} != torch's {expected.shape}"
        np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol, equal_nan=True, err_msg=path)
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and list(actual) == list(expected), (
            f"{path}: keys {list(actual)} != {list(expected)}")
        for k in expected:
            assert_same(expected[k], actual[k], tol, f"{path}[{k!r}]")
        return
    if isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected) and len(actual) == len(expected), f"{path}: {actual!r} != {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, tol, f"{path}[{i}]")
        return
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(actual, float) and math.isnan(actual), f"{path}: {actual!r} != nan"
        return
    assert type(actual) is type(expected) and actual == expected, f"{path}: mygrad {actual!r} != torch {expected!r}"


@pytest.mark.parametrize("name", sorted(HYPER_PARAMETERS))
@EXAMPLES
@given(data=st.data())
def test_optimizer_and_scheduler_trajectories_match_torch(name, data):
    program = data.draw(programs(name, data.draw(st.sampled_from([np.float32, np.float64]))))
    expected, actual = run(torch, program), run(mygrad, program)
    event("refused" if len(expected) == 1 else "ran")
    event(f"scheduler: {program['scheduler'] and program['scheduler'][0]}")
    assert [s[0] for s in actual] == [s[0] for s in expected], (
        f"mygrad saw {[s[:3] for s in actual][-1:]} where torch saw {[s[:3] for s in expected][-1:]}")
    for e, a in zip(expected, actual):
        tol = 0.0 if name in EXACT else TOLERANCE[program["dtype"]]
        assert_same(list(e[1:]), list(a[1:]), tol, e[0])


# ----- a whole training loop -------------------------------------------------------------------

TRAINING = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}, ("StepLR", {"step_size": 5})),
    ("Adam", {"lr": 0.01, "amsgrad": True}, ("CosineAnnealingLR", {"T_max": 10})),
    ("AdamW", {"lr": 0.01}, ("OneCycleLR", {"max_lr": 0.05, "total_steps": 20})),
    ("RMSprop", {"lr": 0.005, "centered": True, "momentum": 0.5}, ("ExponentialLR", {"gamma": 0.95})),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}, ("LinearLR", {"total_iters": 4})),
    ("Adamax", {"lr": 0.02}, ("ReduceLROnPlateau", {"patience": 1, "factor": 0.5})),
]


def train(lib, name, options, spec, max_norm, steps=20):
    rng = np.random.default_rng(7)
    x = lib.tensor(rng.standard_normal((16, 4)), dtype=lib.float32)
    y = lib.tensor(rng.standard_normal((16, 2)), dtype=lib.float32)
    w1 = lib.tensor(rng.standard_normal((4, 8)) * 0.5, dtype=lib.float32, requires_grad=True)
    b1 = lib.tensor(np.zeros(8), dtype=lib.float32, requires_grad=True)
    w2 = lib.tensor(rng.standard_normal((8, 2)) * 0.5, dtype=lib.float32, requires_grad=True)
    b2 = lib.tensor(np.zeros(2), dtype=lib.float32, requires_grad=True)
    params = [w1, b1, w2, b2]
    opt = getattr(lib.optim, name)(params, **options)
    scheduler = getattr(lib.optim.lr_scheduler, spec[0])(opt, **spec[1])
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x.mm(w1).add(b1).relu().mm(w2) + b2 - y) ** 2).mean()
        loss.backward()
        norm = lib.nn.utils.clip_grad_norm_(params, max_norm)
        opt.step()
        if spec[0] == "ReduceLROnPlateau":
            scheduler.step(loss.item())
        else:
            scheduler.step()
        seen.append((loss.item(), norm.item(), scheduler.get_last_lr(),
                     [p.detach().numpy().copy() for p in params], [p.grad is None for p in params]))
    return seen


@pytest.mark.parametrize("name, options, spec", TRAINING, ids=[t[0] for t in TRAINING])
def test_training_loop_matches_torch_step_by_step(name, options, spec):
    expected, actual = train(torch, name, options, spec, 0.5), train(mygrad, name, options, spec, 0.5)
    for step, (e, a) in enumerate(zip(expected, actual)):
        assert a[0] == pytest.approx(e[0], rel=1e-4), f"step {step}: loss"
        assert a[1] == pytest.approx(e[1], rel=1e-4), f"step {step}: clipped norm"
        assert a[2] == pytest.approx(e[2], rel=1e-6), f"step {step}: learning rates"
        for pe, pa in zip(e[3], a[3]):
            np.testing.assert_allclose(pa, pe, rtol=1e-4, atol=1e-5, err_msg=f"step {step}: parameters")
        assert a[4] == e[4]


def train_module(lib, name, options, spec, steps=12):
    """nn.Sequential with torch's initial weights (copied), two parameter groups (weights, biases),
    CrossEntropyLoss, clip_grad_norm_, the optimizer and a scheduler."""
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3))
    model.load_state_dict({k: lib.tensor(v.numpy()) for k, v in reference.state_dict().items()})
    rng = np.random.default_rng(3)
    x = lib.tensor(rng.standard_normal((10, 4)), dtype=lib.float32)
    target = lib.tensor(rng.integers(0, 3, 10))
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    opt = getattr(lib.optim, name)([{"params": weights}, {"params": biases, "weight_decay": 0.0}], **options)
    scheduler = getattr(lib.optim.lr_scheduler, spec[0])(opt, **spec[1])
    loss_fn = lib.nn.CrossEntropyLoss()
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        norm = lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        scheduler.step()
        seen.append((loss.item(), norm.item(), scheduler.get_last_lr(), describe(model.state_dict()),
                     describe(opt.state_dict())))
    return seen


MODULE_TRAINING = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-3}, ("MultiStepLR", {"milestones": [3, 6]})),
    ("Adam", {"lr": 0.02, "weight_decay": 1e-3}, ("ExponentialLR", {"gamma": 0.9})),
    ("AdamW", {"lr": 0.02, "amsgrad": True}, ("LinearLR", {"start_factor": 0.5, "total_iters": 5})),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9}, ("StepLR", {"step_size": 4})),
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1}, ("CosineAnnealingLR", {"T_max": 6})),
    ("Adamax", {"lr": 0.05, "weight_decay": 1e-2}, ("OneCycleLR", {"max_lr": 0.1, "total_steps": 12})),
]


@pytest.mark.parametrize("name, options, spec", MODULE_TRAINING, ids=[t[0] for t in MODULE_TRAINING])
def test_module_training_matches_torch_step_by_step(name, options, spec):
    expected, actual = train_module(torch, name, options, spec), train_module(mygrad, name, options, spec)
    for step, (e, a) in enumerate(zip(expected, actual)):
        assert a[0] == pytest.approx(e[0], rel=1e-5), f"step {step}: loss"
        assert a[1] == pytest.approx(e[1], rel=1e-5), f"step {step}: clipped norm"
        assert a[2] == e[2], f"step {step}: learning rates"
        assert_same(list(e[3:]), list(a[3:]), 1e-5, f"step {step}")
