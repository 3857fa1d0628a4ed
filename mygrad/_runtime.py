"""torch's process-wide switches: thread counts, the CPU generator's state as a byte tensor, deterministic
algorithms, the default device, float32 matmul precision, warn-always, anomaly mode, and ``typename``.

mygrad computes with NumPy on the CPU, so most switches only hold a value that reads back as torch's
does (NumPy's BLAS threads are not changed); their argument checks and errors are torch's.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import _dtype
from ._creation import default_generator
from ._device import device as _device_type
from ._tensor import Tensor
from .autograd import anomaly_mode

__all__ = ["get_num_threads", "set_num_threads", "get_num_interop_threads", "set_num_interop_threads",
           "get_rng_state", "set_rng_state", "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_default_device", "get_default_device",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "set_warn_always",
           "is_warn_always_enabled", "set_anomaly_enabled", "typename"]


class _Switches:
    num_threads = 2
    interop_threads = 2
    deterministic = False
    warn_only = False
    default_device: str | None = None
    matmul_precision = "highest"
    warn_always = False


_switches = _Switches()


def _check_thread_count(name: str, n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise RuntimeError(f"{name} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{name} expects a positive integer")
    return n


def get_num_threads() -> int:
    return _switches.num_threads


def set_num_threads(int: int) -> None:  # noqa: A002  (torch's parameter name)
    _switches.num_threads = _check_thread_count("set_num_threads", int)


def get_num_interop_threads() -> int:
    return _switches.interop_threads


def set_num_interop_threads(int: int) -> None:  # noqa: A002
    _switches.interop_threads = _check_thread_count("set_num_interop_threads", int)


# ----- the generator's state as bytes (torch: a uint8 tensor) ---------------------------------------------

_STATE_SIZE = 40   # PCG64: state and increment (128 bits each), has_uint32 and uinteger (32 bits each)


def get_rng_state() -> Tensor:
    """The default generator's PCG64 state, as a uint8 tensor (torch's is its Mersenne Twister state)."""
    state = default_generator._rng.bit_generator.state
    raw = (int(state["state"]["state"]).to_bytes(16, "little") + int(state["state"]["inc"]).to_bytes(16, "little")
           + int(state["has_uint32"]).to_bytes(4, "little") + int(state["uinteger"]).to_bytes(4, "little"))
    return Tensor._make(np.frombuffer(raw, np.uint8).copy(), False, None)


def set_rng_state(new_state: Tensor) -> None:
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    if new_state._data.dtype != np.uint8:
        raise TypeError("RNG state must be a torch.ByteTensor")
    if new_state._data.size != _STATE_SIZE:
        raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found the input RNG state "
                           f"size to be {new_state._data.size}")
    raw = new_state._data.reshape(-1).tobytes()
    default_generator._rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": int.from_bytes(raw[:16], "little"), "inc": int.from_bytes(raw[16:32], "little")},
        "has_uint32": int.from_bytes(raw[32:36], "little"), "uinteger": int.from_bytes(raw[36:40], "little")}


# ----- deterministic algorithms (mygrad's kernels are all deterministic) ----------------------------------

def _check_bool(fn: str, name: str, value: Any, position: int | None = None) -> bool:
    if not isinstance(value, bool):
        where = f" (position {position})" if position is not None else ""
        raise TypeError(f"{fn}(): argument '{name}'{where} must be bool, not {type(value).__name__}")
    return value


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    _check_bool("_set_deterministic_algorithms", "mode", mode, 1)
    _check_bool("_set_deterministic_algorithms", "warn_only", warn_only)
    _switches.deterministic, _switches.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    return _switches.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _switches.warn_only


# ----- default device -------------------------------------------------------------------------------------

def set_default_device(device) -> None:
    """``None`` or a device; the type is checked as torch's device strings are. mygrad allocates on the CPU
    whatever is set; a CUDA default fails when read, as on a CPU-only torch."""
    if device is None:
        _switches.default_device = None
        return
    _switches.default_device = _device_type(device).type


def get_default_device() -> _device_type:
    if _switches.default_device in (None, "cpu"):
        return _device_type("cpu")
    if _switches.default_device == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    return _device_type(_switches.default_device)


# ----- float32 matmul precision, warn-always, anomaly mode -------------------------------------------------

def set_float32_matmul_precision(precision: str) -> None:
    """Held only (NumPy's float32 matmul is IEEE float32 whatever is set); an unknown value warns, as torch."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      f"setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _switches.matmul_precision = precision


def get_float32_matmul_precision() -> str:
    return _switches.matmul_precision


def set_warn_always(b: bool) -> None:
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _switches.warn_always = b


def is_warn_always_enabled() -> bool:
    return _switches.warn_always


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    _check_bool("set_anomaly_enabled", "enabled", enabled, 1)
    _check_bool("set_anomaly_enabled", "check_nan", check_nan, 2)
    anomaly_mode._set(enabled, check_nan)


def typename(obj: Any, /) -> str:
    """torch's: a tensor's type string (``torch.FloatTensor``), else the object's module and name."""
    if isinstance(obj, Tensor):
        return obj.type()
    if isinstance(obj, _dtype.dtype):
        return "torch.dtype"
    module = ""
    if getattr(obj, "__module__", None) not in ("builtins", "__builtin__", None):
        module = obj.__module__ + "."
    if hasattr(obj, "__qualname__"):
        name = obj.__qualname__
    elif hasattr(obj, "__name__"):
        name = obj.__name__
    else:
        name = obj.__class__.__name__
    return module + name
