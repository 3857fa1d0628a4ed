"""Running one case: agreement checks, thread limits, interleaved timed rounds, peak memory."""
from __future__ import annotations

import contextlib
import gc
import statistics
import time
import tracemalloc

import numpy as np

from .workloads.base import Case


class Disagreement(AssertionError):
    """Two implementations computed different values: nothing is timed."""


@contextlib.contextmanager
def thread_limit(n: int):
    """torch's intra-op threads and the BLAS pool (through threadpoolctl, when installed) set to ``n``."""
    import torch
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limits = contextlib.nullcontext()
    else:
        limits = threadpool_limits(limits=n, user_api="blas")
    try:
        with limits:
            yield
    finally:
        torch.set_num_threads(previous)


def check_agreement(case: Case, impls: dict) -> None:
    """Every implementation's checked values against the first one's, within the case's tolerance."""
    results = {name: impl.check() for name, impl in impls.items()}
    reference_name, reference = next(iter(results.items()))
    for name, values in results.items():
        for key, expected in reference.items():
            got = values.get(key)
            if got is None or np.shape(got) != np.shape(expected):
                raise Disagreement(f"{case.key}: {name} gives {key} of shape {np.shape(got)}, "
                                   f"{reference_name} {np.shape(expected)}")
            scale = float(np.max(np.abs(expected))) if np.size(expected) else 0.0
            error = float(np.max(np.abs(np.asarray(got, np.float64) - expected))) if np.size(expected) else 0.0
            if not np.isfinite(error) or error > case.tolerance * max(scale, 1.0):
                raise Disagreement(f"{case.key}: {name} and {reference_name} disagree on {key}: max |difference| "
                                   f"{error:.3g} (scale {scale:.3g}, tolerance {case.tolerance:g})")


def _calibrate(run, min_seconds: float) -> int:
    """How many iterations make one timed sample last at least ``min_seconds``."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            run()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds or number >= 1 << 20:
            return number
        number = max(number * 2, int(number * min_seconds / max(elapsed, 1e-9) * 1.2))


SETTLE_SECONDS = 0.3


def _settle(threads: int) -> None:
    """Let the previous library's worker threads stop spinning before the next one runs.

    OpenBLAS's and OpenMP's idle workers busy-wait for a while after each parallel call; on
    two cores, one library's spinning threads take the core the other's threads need."""
    if threads > 1:
        time.sleep(SETTLE_SECONDS)


def time_case(case: Case, impls: dict, repeat: int, min_seconds: float, threads: int) -> dict:
    """Per-iteration (per-op for chains) seconds: ``repeat`` samples per implementation, taken in
    interleaved rounds so drift in the machine's speed hits every implementation alike.
    The garbage collector stays on: its cost is part of what a library costs."""
    numbers = {}
    for name, impl in impls.items():
        _settle(threads)
        numbers[name] = _calibrate(impl.run, min_seconds)
    samples = {name: [] for name in impls}
    for _ in range(repeat):
        for name, impl in impls.items():
            run, number = impl.run, numbers[name]
            _settle(threads)
            start = time.perf_counter()
            for _ in range(number):
                run()
            samples[name].append((time.perf_counter() - start) / number / case.ops)
    return {name: {"median": statistics.median(s), "min": min(s), "max": max(s), "samples": s,
                   "iterations_per_sample": numbers[name]} for name, s in samples.items()}


def peak_memory(factory) -> int:
    """Peak bytes traced by tracemalloc during one step, after a warm-up step (so persistent
    state such as .grad exists), counting everything the implementation allocated since it
    was built: inputs, parameters, gradients, graph and temporaries."""
    gc.collect()
    tracemalloc.start()
    try:
        impl = factory()
        impl.run()
        gc.collect()
        tracemalloc.reset_peak()
        impl.run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
