"""torch's process-wide switches (mygrad/_runtime.py), against torch (see paired.py): values read back
as torch's, bad arguments raise torch's errors, and each scenario restores what it changed."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


@scenario
def thread_counts(t, see):
    before = t.get_num_threads()
    see("an int", isinstance(before, int) and before > 0)
    see.call("set 1", lambda: t.set_num_threads(1))
    see("read back", t.get_num_threads())
    t.set_num_threads(before)
    for bad in (0, -1, 1.5, "2"):
        see.call(f"set_num_threads({bad!r})", lambda bad=bad: t.set_num_threads(bad))
    see("interop an int", isinstance(t.get_num_interop_threads(), int))
    see.call("set_num_interop_threads(0)", lambda: t.set_num_interop_threads(0))


@scenario
def rng_state(t, see):
    state = t.get_rng_state()
    see("dtype, grad", (str(state.dtype), state.requires_grad, state.dim()))
    first = t.rand(5)
    t.set_rng_state(state)
    see("replayed", t.equal(first, t.rand(5)))
    see("a fresh copy", t.get_rng_state() is not state)
    see.call("a float tensor", lambda: t.set_rng_state(t.zeros(3)))
    see.call("a list", lambda: t.set_rng_state([1, 2]))
    try:   # (the message names the state's size: torch's Mersenne Twister's, mygrad's PCG64's)
        t.set_rng_state(t.zeros(3, dtype=t.uint8))
    except RuntimeError as exc:
        see("too short", str(exc).split(" of size")[0])


@scenario
def deterministic_algorithms(t, see):
    see("default", (t.are_deterministic_algorithms_enabled(), t.is_deterministic_algorithms_warn_only_enabled()))
    see.call("on, warn only", lambda: t.use_deterministic_algorithms(True, warn_only=True))
    see("read back", (t.are_deterministic_algorithms_enabled(), t.is_deterministic_algorithms_warn_only_enabled()))
    t.use_deterministic_algorithms(False)
    see("off", (t.are_deterministic_algorithms_enabled(), t.is_deterministic_algorithms_warn_only_enabled()))
    see.call("a string", lambda: t.use_deterministic_algorithms("x"))
    see.call("an int", lambda: t.use_deterministic_algorithms(1))
    see.call("warn_only an int", lambda: t.use_deterministic_algorithms(True, warn_only=1))


@scenario
def default_device(t, see):
    see("default", repr(t.get_default_device()))
    see.call("cpu", lambda: t.set_default_device("cpu"))
    see("read back", repr(t.get_default_device()))
    see("a tensor's device", repr(t.ones(1).device))
    see.call("unset", lambda: t.set_default_device(None))
    see.call("an unknown type", lambda: t.set_default_device("foo"))
    see.call("cuda", lambda: t.set_default_device("cuda"))
    see.call("read cuda back", lambda: t.get_default_device())
    t.set_default_device(None)
    see("unset again", repr(t.get_default_device()))


@scenario
def matmul_precision_warn_always_anomaly(t, see):
    see("precision", t.get_float32_matmul_precision())
    see.call("high", lambda: t.set_float32_matmul_precision("high"))
    see("read back", t.get_float32_matmul_precision())
    see.call("unknown", lambda: t.set_float32_matmul_precision("foo"))
    see("unchanged", t.get_float32_matmul_precision())
    t.set_float32_matmul_precision("highest")
    see("warn always", t.is_warn_always_enabled())
    see.call("warn always an int", lambda: t.set_warn_always(1))
    t.set_warn_always(True)
    see("set", t.is_warn_always_enabled())
    t.set_warn_always(False)
    see.call("anomaly on", lambda: t.set_anomaly_enabled(True))
    see("anomaly read back", (t.is_anomaly_enabled(), t.is_anomaly_check_nan_enabled()))
    see.call("anomaly off, no nan check", lambda: t.set_anomaly_enabled(False, False))
    see("off", (t.is_anomaly_enabled(), t.is_anomaly_check_nan_enabled()))
    t.set_anomaly_enabled(False, True)
    see.call("anomaly a string", lambda: t.set_anomaly_enabled("x"))


@scenario
def typenames(t, see):
    see("float", t.typename(t.zeros(2)))
    see("long", t.typename(t.zeros(2, dtype=t.int64)))
    see("double", t.typename(t.zeros(2, dtype=t.float64)))
    see("int", t.typename(3))
    see("str", t.typename("a"))
    see("a dtype", t.typename(t.float32))
