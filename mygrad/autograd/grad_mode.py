"""Whether operations record a graph: one thread-local flag, and the ways torch offers to set it."""
from __future__ import annotations

import functools
import re
import sys
import threading
from typing import Any


class _State(threading.local):
    enabled = True     # whether ops record a graph (read by every op)
    inference = False
    user = True        # the grad mode as set (is_grad_enabled): inside inference mode nothing records,
    #                    even where enable_grad turned it back on, as torch's InferenceMode


_state = _State()
# whether inference mode was ever entered (in any thread): only then can an inference tensor exist, and the
# ops' recording checks for one (an op on inference tensors alone records nothing outside inference mode)
inference_tensors = [False]


def is_grad_enabled() -> bool:
    return _state.user if _state.inference else _state.enabled


def _set_grad(flag: bool) -> None:
    _state.user = flag
    _state.enabled = flag and not _state.inference


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
        self._prev = (_state.user, _state.enabled)
        _set_grad(self._target)

    def __exit__(self, *exc: Any) -> Any:
        _state.user, _state.enabled = self._prev
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
        self._prev = (_state.user, _state.enabled)
        self._target = bool(mode)
        _set_grad(self._target)

    def __enter__(self) -> Any:
        pass

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self._target})"

    def __call__(self, func: Any) -> Any:
        _state.user, _state.enabled = self._prev
        mode = self._target

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper


_GENERATED_SAVE = re.compile(r"^<generated \w+\.(attach|record)>$")  # (_source.filename)


class InferenceVersion(list):
    """The version counter of a tensor made in inference mode (torch's inference tensors have none:
    the type marks the tensor as one, ``Tensor.is_inference()``)."""

    __slots__ = ()

    def __getitem__(self, index: Any) -> Any:
        # an op saving an inference tensor for backward reads its version in the op's generated attach code
        # (<MulBackward0.record>): torch refuses that outside inference mode; any other read is fine
        if _state.enabled and not _state.inference and _GENERATED_SAVE.match(sys._getframe(1).f_code.co_filename):
            raise RuntimeError(INFERENCE_SAVED)
        return list.__getitem__(self, index)

    def __setitem__(self, index: Any, value: Any) -> Any:
        # torch writes first, then refuses to bump the version of an inference tensor outside inference mode
        if not _state.inference:
            raise RuntimeError(INFERENCE_INPLACE)
        list.__setitem__(self, index, value)


class DetachedInferenceVersion(InferenceVersion):
    """The version counter of ``detach()`` of an inference tensor outside inference mode: torch's result is
    still ``is_inference()`` (and refused in autograd's saved tensors), yet it counts versions and may be
    edited in place anywhere."""

    __slots__ = ()

    def __setitem__(self, index: Any, value: Any) -> Any:
        if not _state.inference:   # (an edit inside inference mode leaves it as it was)
            list.__setitem__(self, index, value)


INFERENCE_INPLACE = ("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone "
                     "to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 "
                     "for more details.")
INFERENCE_SAVED = ("Inference tensors cannot be saved for backward. Please do not use Tensors created in inference "
                   "mode in computation tracked by autograd. To work around this, you can make a clone to get a normal "
                   "tensor and use it in autograd, or use `torch.no_grad()` instead of `torch.inference_mode()`.")


def is_inference_mode_enabled() -> bool:
    return _state.inference


class inference_mode:
    """no_grad, and more: tensors made inside are inference tensors, which autograd refuses later.
    ``inference_mode(False)`` inside it turns both back on.  Context manager and decorator."""

    def __new__(cls, mode: Any = True) -> Any:
        self = super().__new__(cls)
        if callable(mode):  # the bare @inference_mode
            self.mode = True
            return self(mode)
        return self

    def __init__(self, mode: bool = True) -> None:
        if not callable(mode):
            self.mode = bool(mode)

    def __enter__(self) -> Any:
        self._prev = (_state.enabled, _state.inference, _state.user)
        if self.mode:
            inference_tensors[0] = True
        _state.inference = self.mode
        _set_grad(not self.mode)

    def __exit__(self, *exc: Any) -> Any:
        _state.enabled, _state.inference, _state.user = self._prev
        return False

    def __call__(self, func: Any) -> Any:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return func(*args, **kwargs)
        return wrapper

    def clone(self) -> "inference_mode":
        return self.__class__(self.mode)
