"""Run one scenario against torch and against mygrad, and compare what each observed.

A scenario is ``fn(lib, see)``: it uses ``lib`` exactly as a torch program would, and reports
what a user would see with ``see(label, value)`` or ``see.call(label, thunk)`` (which also
records an exception's class and message, and any warnings).  Torch's observations are the
expected ones: nothing is typed into the tests.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

import mygrad


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
            if issubclass(w.category, (UserWarning, RuntimeWarning)) and "mygrad" not in str(w.filename):
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
        if expected.dtype.kind == "f":
            rtol = 1e-5 if expected.dtype == np.float32 else 1e-7
            np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol, equal_nan=True, err_msg=path)
        else:
            np.testing.assert_array_equal(actual, expected, err_msg=path)
        return
    if isinstance(expected, (tuple, list)) and isinstance(actual, (tuple, list)):
        assert len(expected) == len(actual), f"{path}: {len(actual)} items != torch's {len(expected)}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, f"{path}[{i}]")
        return
    if isinstance(expected, float) and isinstance(actual, float):
        assert np.isclose(actual, expected, rtol=1e-6, equal_nan=True), f"{path}: {actual} != torch's {expected}"
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
