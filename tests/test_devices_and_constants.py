"""Devices, dtype limits and constants as a CPU-only torch build has them (see paired.py): devices parse and
print as torch's, CUDA raises torch's error instead of quietly giving a CPU tensor."""
from __future__ import annotations

from paired import scenario_suite

scenario, test_matches_torch = scenario_suite()


@scenario
def devices(t, see):
    x = t.ones(2)
    see("x.device", repr(x.device))
    see("str", str(x.device))
    see("type and index", (x.device.type, x.device.index))
    see("parsed", [repr(t.device(s)) for s in ("cpu", "cpu:0", "cuda", "cuda:1", "mps")])
    see("with an index", repr(t.device("cuda", 1)))
    see("equality", (t.device("cpu") == x.device, x.device == "cpu", t.device("cpu:0") == t.device("cpu")))
    see("is_cuda", x.is_cuda)
    see("cpu() is itself", x.cpu() is x)
    see("to('cpu') is itself", x.to("cpu") is x)
    see.call("to(device='cpu', dtype=float64)", lambda: x.to(device="cpu", dtype=t.float64))
    see.call("factory on the cpu", lambda: t.ones(2, device=t.device("cpu")))
    see.call("an unknown device", lambda: t.device("gpu"))
    for label, thunk in {"cuda()": lambda: x.cuda(), "factory on cuda": lambda: t.zeros(2, device="cuda"),
                         "to('cuda')": lambda: x.to("cuda"), "to(device='cuda:0')": lambda: x.to(device="cuda:0"),
                         "randn on cuda": lambda: t.randn(2, device="cuda"),
                         "an integer device": lambda: t.ones(2, device=0),
                         "current_device": lambda: t.cuda.current_device()}.items():
        try:
            thunk()
        except (AssertionError, RuntimeError) as exc:
            see(label, (type(exc).__name__, str(exc)))
    see("cuda.is_available", t.cuda.is_available())
    see("cuda.device_count", t.cuda.device_count())


@scenario
def dtype_limits_and_constants(t, see):
    for name in ("float16", "float32", "float64"):
        info = t.finfo(getattr(t, name))
        see(f"finfo {name}", (repr(info), info.bits, info.eps, info.max, info.min, info.tiny, info.resolution))
    see("finfo of the default dtype", t.finfo().eps)
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        info = t.iinfo(getattr(t, name))
        see(f"iinfo {name}", (repr(info), info.bits, info.min, info.max))
    see.call("finfo of an integer", lambda: t.finfo(t.int32))
    see.call("iinfo of a float", lambda: t.iinfo(t.float32))
    see("constants", (t.inf, t.pi, t.e, t.nan != t.nan))
    see("python types as dtypes", [t.ones(1, dtype=kind).dtype for kind in (float, int, bool)])
    see.call("tensor(dtype=float)", lambda: t.tensor([1.5], dtype=float))
