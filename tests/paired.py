"""Run one scenario against torch and against mygrad, and compare what each observed.

A scenario is ``fn(lib, see)``: it uses ``lib`` exactly as a torch program would, and reports
what a user would see with ``see(label, value)`` or ``see.call(label, thunk)`` (which also
records an exception's class and message, and any warnings).  Torch's observations are the
expected ones: nothing is typed into the tests.  Values are compared with the conformance harness's
comparison and tolerances (``conformance.checks``), the one place they live.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import torch

import mygrad
from conformance.checks import compare_values, describe as describe_mismatch, tolerance

MYGRAD_DIR = os.path.dirname(os.path.abspath(mygrad.__file__)) + os.sep


def from_mygrad(filename: str) -> bool:
    """Whether a warning was issued by mygrad's own code (a file inside the mygrad package), so it is
    not one a user sees from their line; decided by the package's location, not by the word in a path."""
    return os.path.abspath(filename).startswith(MYGRAD_DIR)


class Observer:
    def __init__(self, lib):
        self.lib = lib
        self.seen: list = []

    def __call__(self, label: str, value) -> None:
        self.seen.append((label, describe(value)))

    def call(self, label: str, thunk):
        """Run ``thunk``; record its result, or the exception it raised, and the warnings it gave."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = thunk()
            except Exception as exc:  # noqa: BLE001 - the class is what is compared
                self.seen.append((label, ("raises", type(exc).__name__, _first_line(str(exc)))))
                result = None
            else:
                self.seen.append((label, describe(result)))
        for w in caught:
            if issubclass(w.category, (UserWarning, RuntimeWarning)) and not from_mygrad(str(w.filename)):
                self.seen.append((label + " warns", (w.category.__name__, _first_line(str(w.message)))))
        return result


def _first_line(text: str) -> str:
    """Messages are compared up to torch's C++ location suffix."""
    return text.split(" (Triggered internally at")[0].strip()


def describe(value):
    """A library-neutral description of what a user sees."""
    if isinstance(value, (torch.Tensor, mygrad.Tensor)):
        grad_fn = value.grad_fn
        return ("tensor", value.detach().numpy().copy(), str(value.dtype), tuple(value.shape),
                value.requires_grad, value.is_leaf, None if grad_fn is None else type(grad_fn).__name__)
    if isinstance(value, (tuple, list)):
        return tuple(describe(v) for v in value)
    if isinstance(value, (torch.dtype, mygrad.dtype)):
        return ("dtype", str(value))
    if hasattr(value, "next_functions") or type(value).__name__ == "AccumulateGrad":
        return ("node", type(value).__name__)
    if isinstance(value, (torch.Size, mygrad.Size)):
        return ("size", tuple(value))
    return value


def graph_tree(node, depth: int = 4):
    """A node and its ``next_functions`` down to ``depth``, as nested (name, ((child, output_nr), ...))."""
    if node is None:
        return None
    if depth == 0:
        return type(node).__name__
    return (type(node).__name__, tuple((graph_tree(n, depth - 1), nr) for n, nr in node.next_functions))


def run(scenario, lib) -> list:
    see = Observer(lib)
    scenario(lib, see)
    return see.seen


def assert_same(expected, actual, path: str = "") -> None:
    """Torch's observation vs mygrad's: arrays within float tolerance, everything else equal."""
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        expected, actual = np.asarray(expected), np.asarray(actual)
        assert expected.shape == actual.shape, f"{path}: shape {actual.shape} != torch's {expected.shape}"
        assert expected.dtype == actual.dtype, f"{path}: dtype {actual.dtype} != torch's {expected.dtype}"
        rtol, atol = tolerance(expected.dtype.name, expected.size) if expected.dtype.kind == "f" else (0.0, 0.0)
        found = compare_values(expected, actual, rtol, atol)
        assert found is None, describe_mismatch(path or "value", found)
        return
    if isinstance(expected, (tuple, list)) and isinstance(actual, (tuple, list)):
        assert len(expected) == len(actual), f"{path}: {len(actual)} items != torch's {len(expected)}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, f"{path}[{i}]")
        return
    if isinstance(expected, float) and isinstance(actual, float):
        # a Python float may come from a float32 tensor (``item()``): float32's tolerance
        found = compare_values(np.float64(expected), np.float64(actual), *tolerance("float32", 1))
        assert found is None, f"{path}: {actual} != torch's {expected}"
        return
    assert expected == actual, f"{path}: mygrad {actual!r} != torch {expected!r}"


def check(scenario) -> None:
    expected, actual = run(scenario, torch), run(scenario, mygrad)
    labels_e = [label for label, _ in expected]
    labels_a = [label for label, _ in actual]
    assert labels_a == labels_e, f"observations differ in kind:\nmygrad: {labels_a}\ntorch:  {labels_e}"
    for (label, e), (_, a) in zip(expected, actual):
        assert_same(e, a, label)


def scenario_suite():
    """A decorator that collects a test module's scenarios, and the one test that checks each
    against torch.  Use as ``scenario, test_matches_torch = scenario_suite()``."""
    import pytest
    scenarios: list = []

    def scenario(fn):
        scenarios.append(fn)
        return fn

    @pytest.mark.parametrize("fn", scenarios, ids=lambda f: f.__name__)
    def test_matches_torch(fn):
        check(fn)

    return scenario, test_matches_torch
