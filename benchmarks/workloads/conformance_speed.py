"""B5: conformance throughput, examples checked per second for a fixed op set and profile,
so that the harness's own speed is tracked."""
from __future__ import annotations

import importlib.util

from .base import Workload

OPS = ("add", "mul", "sum")
PROFILE = "quick"


def measure(size: str, repeat: int) -> dict:
    if importlib.util.find_spec("conformance.__main__") is None:
        return {"available": False,
                "summary": "not yet available (`python -m conformance` does not exist in this tree yet)"}
    raise NotImplementedError


B5 = Workload("B5", "conformance throughput", lambda size: [], report=measure)
