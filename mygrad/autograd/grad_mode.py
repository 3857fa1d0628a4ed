"""Whether operations record a graph: one thread-local flag, and the ways torch offers to set it."""
from __future__ import annotations

import functools
import threading
from typing import Any


class _State(threading.local):
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


class _GradModeContext:
    """Context manager and decorator that sets the flag and restores it on exit."""

    _target: bool

    def __new__(cls, func: Any = None) -> Any:
        # torch accepts both @no_grad() and the bare @no_grad
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __init__(self, func: Any = None) -> None:
        pass

    def __enter__(self) -> Any:
        self._prev = _state.enabled
        _state.enabled = self._target

    def __exit__(self, *exc: Any) -> Any:
        _state.enabled = self._prev
        return False

    def __call__(self, func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradModeContext):
    _target = False


class enable_grad(_GradModeContext):
    _target = True


class set_grad_enabled(_GradModeContext):
    """Sets the flag at once (torch does too), and restores it when used as a context manager."""

    def __new__(cls, mode: bool) -> Any:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        self._prev = _state.enabled
        self._target = bool(mode)
        _state.enabled = self._target

    def __enter__(self) -> Any:
        pass

    def __call__(self, func: Any) -> Any:
        _state.enabled = self._prev
        mode = self._target

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper
