"""Which vector width torch's CPU kernels run at on this machine (ATen's CPU capability), for the few kernels
whose answers at NaN depend on it (a vector lane propagates NaN where the scalar tail skips it).

ATen picks AVX512 where the CPU has avx512f, bw, vl and dq, else AVX2; ``ATEN_CPU_CAPABILITY`` overrides it."""
from __future__ import annotations

import os

_AVX512 = {"avx512f", "avx512bw", "avx512vl", "avx512dq"}


def _cpu_flags() -> set:
    try:
        with open("/proc/cpuinfo") as info:
            return next((set(line.split(":", 1)[1].split()) for line in info if line.startswith("flags")), set())
    except OSError:
        return set()


def _vector_bytes() -> int:
    asked = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if asked in ("avx2", "default"):
        return 32
    return 64 if _AVX512 <= _cpu_flags() else 32


VECTOR_BYTES = _vector_bytes()   # bytes per vector register of torch's kernels: 64 (AVX512) or 32 (AVX2)
