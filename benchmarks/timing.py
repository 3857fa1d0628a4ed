"""Running one case: agreement checks, thread limits, interleaved timed rounds, peak memory."""
from __future__ import annotations

import contextlib
import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from .workloads.base import Case

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Disagreement(AssertionError):
    """Two implementations computed different values: nothing is timed."""


@contextlib.contextmanager
def thread_limit(n: int, torch: bool = True):
    """torch's intra-op threads (when ``torch``) and the BLAS pool (through threadpoolctl, when
    installed) set to ``n``."""
    previous = None
    if torch:
        import torch as torch_module
        previous = torch_module.get_num_threads()
        torch_module.set_num_threads(n)
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
        if previous is not None:
            torch_module.set_num_threads(previous)


class Worker:
    """A library's implementation of a case, run in its own process (``benchmarks/worker.py``)."""

    def __init__(self, case_id: tuple, library: str, threads: int):
        key, index, size = case_id
        self.command = [sys.executable, "-m", "benchmarks.worker", key, str(index), size, library, str(threads)]
        self.library = library
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        cwd=ROOT, env=_environment())

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the {self.library} worker stopped (exit {self.process.wait()}): {self.command}")
        return answer

    def close(self) -> None:
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()

    def memory(self) -> int:
        """Peak traced memory of one step, measured by a fresh process."""
        out = subprocess.run(self.command + ["--memory"], capture_output=True, text=True, cwd=ROOT,
                             env=_environment(), check=True)
        return int(out.stdout.split()[-1])


def _environment() -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))


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


def calibrate(run, min_seconds: float) -> int:
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


def time_case(case: Case, workers: dict, repeat: int, min_seconds: float, threads: int) -> dict:
    """Per-iteration (per-op for chains) seconds: ``repeat`` samples per library, taken in
    interleaved rounds so drift in the machine's speed hits every library alike.  The process
    CPU time is kept too (``cpu_median``): on a busy machine it varies less than the wall clock.
    The garbage collector stays on: its cost is part of what a library costs."""
    numbers = {}
    for name, worker in workers.items():
        _settle(threads)
        numbers[name] = int(worker.ask(f"calibrate {min_seconds}"))
    samples = {name: [] for name in workers}
    cpu = {name: [] for name in workers}
    for _ in range(repeat):
        for name, worker in workers.items():
            _settle(threads)
            wall, used = map(float, worker.ask(f"sample {numbers[name]}").split())
            samples[name].append(wall / numbers[name] / case.ops)
            cpu[name].append(used / numbers[name] / case.ops)
    return {name: {"median": statistics.median(s), "min": min(s), "max": max(s), "samples": s,
                   "cpu_median": statistics.median(cpu[name]), "iterations_per_sample": numbers[name]}
            for name, s in samples.items()}


def peak_memory(factory) -> int:
    """Peak bytes traced by tracemalloc during one step, after a warm-up step (so persistent
    state such as .grad exists), counting everything the implementation allocated since it
    was built: inputs, parameters, gradients, graph and temporaries.  A first, untraced build
    and step leave imports and caches out of the figure."""
    warm_up(factory())
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


def warm_up(impl) -> None:
    """What the runner does before timing: first calls fill caches and load lazily imported code."""
    impl.check()
    impl.run()
    impl.run()
