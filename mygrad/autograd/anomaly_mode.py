"""Anomaly detection: a backward node that returns NaN raises, naming the node.

``detect_anomaly`` / ``set_detect_anomaly`` set one thread-local flag (and ``check_nan``); the
engine checks every node's gradients while it is on.  The forward traceback torch prints is
recorded for custom ``autograd.Function`` nodes made while the mode is on; the built-in ops'
generated nodes carry none, so for them the warning is torch's own "No forward pass
information available" text.
"""
from __future__ import annotations

import functools
import threading
import traceback
import warnings

import numpy as np

__all__ = ["detect_anomaly", "set_detect_anomaly"]


class _State(threading.local):
    enabled = False
    check_nan = True


_state = _State()


def is_anomaly_enabled() -> bool:
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _state.check_nan


def _set(mode: bool, check_nan: bool) -> None:
    _state.enabled = bool(mode)
    _state.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on for its block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = _state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _state.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                      "be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        _set(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Sets anomaly detection on or off at once; as a context manager, restores it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _state.enabled
        self.prev_check_nan = _state.check_nan
        _set(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set(self.prev, self.prev_check_nan)


def forward_traceback() -> str | None:
    """The current stack as torch's anomaly mode stores it (``node.metadata["traceback_"]``)."""
    if not _state.enabled:
        return None
    return "".join(traceback.format_stack()[:-2])


def check_results(node, results) -> None:
    """Raise torch's error if a node returned NaN; warn first with where the node was made."""
    for i, g in enumerate(results):
        if g is None:
            continue
        data = getattr(g, "_data", g)
        if np.asarray(data).dtype.kind in "fc" and np.isnan(data).any():
            name = node.name()
            from .node import _METADATA
            stack = _METADATA.get(node, {}).get("traceback_")
            if stack is None:
                warnings.warn(f"Error detected in {name}. No forward pass information available. Enable detect "
                              f"anomaly during forward pass for more information.", stacklevel=3)
            else:
                warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the error:\n"
                              f"{stack}", stacklevel=3)
            raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")
