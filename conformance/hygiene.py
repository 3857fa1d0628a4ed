"""State hygiene: every case must leave the process as it found it.

A case that leaves grad mode off, the default dtype changed, NumPy's error state changed or the
garbage collector switched off would make every later case run in that state, and fail (or pass) for
a reason its snippet cannot reproduce.  So the process state a case can change is read before and
after each case; a change fails *that* case, naming what leaked, and is undone before the next case.
"""
from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .paired import library


@dataclass(frozen=True)
class Setting:
    """One piece of process state: how to read it and how to put it back."""
    name: str
    get: Callable[[], Any]
    set: Callable[[Any], object]


def _set_gc(enabled: bool) -> None:
    gc.enable() if enabled else gc.disable()


def _set_grad_mode(lib_name: str):
    def put(enabled: bool) -> None:
        library(lib_name).set_grad_enabled(enabled)   # the function form sets the mode at once (torch's too)
    return put


def settings() -> list[Setting]:
    """The state a case can change, in the order it is reported."""
    found = []
    for name in ("torch", "mygrad"):
        lib = library(name)
        found.append(Setting(f"grad mode ({name}.is_grad_enabled())", lib.is_grad_enabled, _set_grad_mode(name)))
        found.append(Setting(f"default dtype ({name}.get_default_dtype())", lib.get_default_dtype,
                             lib.set_default_dtype))
    found.append(Setting("NumPy error state (np.geterr())", np.geterr, lambda state: np.seterr(**state)))
    found.append(Setting("garbage collector (gc.isenabled())", gc.isenabled, _set_gc))
    return found


def snapshot() -> dict:
    """The current value of every setting."""
    return {s.name: s.get() for s in settings()}


def restore(before: dict) -> list[str]:
    """Put back every setting that changed since ``before``; what changed, as 'name: before -> after'."""
    leaked = []
    for s in settings():
        now = s.get()
        if now != before[s.name]:
            leaked.append(f"{s.name}: {before[s.name]!r} before the case, {now!r} after")
            s.set(before[s.name])
    return leaked


def checked(run: Callable[[], Any]):
    """Run one case (``run`` returns its ``CaseResult``); a leak of process state fails that case."""
    from .runner import Failure
    before = snapshot()
    result = run()
    leaked = restore(before)
    if leaked:
        diff = "the case left process state changed (undone before the next case): " + "; ".join(leaked)
        result.failures.append(Failure(check="hygiene", diff=diff, numbers={}, snippet=f"# {diff}\n", example="",
                                       shrunk=False, failed_examples=1))
    return result
