"""Anomaly detection: a backward node that returns NaN raises, naming the node.

``detect_anomaly`` / ``set_detect_anomaly`` set one process-wide flag (and ``check_nan``), as torch's
``AnomalyMode`` is a global, not a per-thread, switch: a mode set in one thread holds in every other.
The engine checks every node's gradients while it is on.  A node made while the mode is on keeps
the forward traceback torch prints (``remember_forward``); one made before it was turned on gets
torch's own "No forward pass information available" text.
"""
from __future__ import annotations

import functools
import re
import traceback
import warnings
from typing import Any

import numpy as np

__all__ = ["detect_anomaly", "set_detect_anomaly"]


class _State:
    """The process-wide switch (torch's AnomalyMode is a static flag, shared by every thread)."""
    enabled = False
    check_nan = True


_state = _State()
_GENERATED = re.compile(r"^<generated \w+\.[\w ()]+>$")  # mygrad's generated code (_source.filename)


def is_anomaly_enabled() -> bool:
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _state.check_nan


def _set(mode: bool, check_nan: bool) -> None:
    _state.enabled = bool(mode)
    _state.check_nan = bool(check_nan)


def remember_forward(node: Any) -> None:
    """While the mode is on, a node keeps the forward traceback that made it (``node.metadata["traceback_"]``),
    as torch's anomaly mode records it: Tensor's ``grad_fn`` setter and generated ``record`` call this."""
    from .node import _METADATA
    meta = _METADATA.setdefault(node, {})
    if "traceback_" not in meta:
        meta["traceback_"] = forward_traceback()


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

    def __exit__(self, *args: Any) -> None:
        _set(self.prev, self.prev_check_nan)

    def __call__(self, func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
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

    def __exit__(self, *args: Any) -> None:
        _set(self.prev, self.prev_check_nan)


def forward_traceback() -> str | None:
    """The current stack up to the user's call into mygrad, as torch's anomaly mode stores it."""
    if not _state.enabled:
        return None
    import os
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = traceback.extract_stack()
    while frames and (os.path.abspath(frames[-1].filename).startswith(package + os.sep)
                      or _GENERATED.match(frames[-1].filename)):
        frames.pop()
    return "".join(traceback.format_list(frames)).rstrip("\n")


def _caller_level() -> int:
    """The stacklevel of the first frame outside mygrad: the warning points at the user's backward call."""
    import sys
    frame: Any = sys._getframe(1)
    level = 1
    package = __name__.split(".")[0]
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == package:
        frame, level = frame.f_back, level + 1
    return level


def check_results(node: Any, results: Any) -> None:
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
                              f"anomaly during forward pass for more information.", stacklevel=_caller_level())
            else:
                warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the error:\n"
                              f"{stack}", stacklevel=_caller_level())
            raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")
