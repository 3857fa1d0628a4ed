"""``python -m benchmarks.scale``: memory and scale as measured properties (issue: reliability).

Each property is measured, printed as a table row and judged against its target:

- *flat memory*: the tutorial training loop for N steps; traced memory after the last step is the same
  as after the first tenth (no growth per step);
- *freed without the collector*: graphs built and dropped without a backward, with the cyclic garbage
  collector off, leave no node alive (reference counting alone frees them);
- *long chain* / *wide fan-in*: a chain of N ops and an N-way sum of one leaf, forward, backward and freed
  without ``RecursionError``; the time per op at N is compared with the time per op at N / 10 (linear);
- *backward peak*: peak resident memory of a large backward, mygrad over torch, each in its own process
  (Linux's VmHWM).

Nothing here is a timed test: ``tests/test_benchmarks_smoke.py`` runs it at ``--size tiny`` and checks only
that every row is measured.  The figures in the README come from a full run, with the command printed.
"""
from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
import tracemalloc
import weakref

import numpy as np

SIZES = {  # size -> (loop steps, chain length, fan-in width, backward peak elements)
    "tiny": (200, 2_000, 2_000, 200_000),
    "full": (10_000, 1_000_000, 100_000, 4_000_000),
}


def flat_memory(steps: int) -> dict:
    """Traced bytes after step N/10 and after step N of the tutorial loop (examples/03_network.py's)."""
    import mygrad as torch
    torch.manual_seed(0)
    x, y = torch.randn(100, 3), torch.randn(100, 1)
    w1, w2 = torch.randn(3, 32, requires_grad=True), torch.randn(32, 1, requires_grad=True)
    tracemalloc.start()
    marks = {}
    try:
        for step in range(1, steps + 1):
            loss = (x.mm(w1).clamp(min=0).mm(w2) - y).pow(2).mean()
            loss.backward()
            with torch.no_grad():
                w1.sub_(1e-4 * w1.grad)
                w2.sub_(1e-4 * w2.grad)
                w1.grad.zero_()
                w2.grad.zero_()
            if step in (steps // 10, steps):
                marks[step] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    early, late = marks[steps // 10], marks[steps]
    return {"property": f"flat memory over {steps:,} tutorial steps", "figure": late - early, "unit": "bytes grown",
            "target": "<= 4096 bytes", "met": late - early <= 4096}


def freed_without_collector(graphs: int) -> dict:
    """Graphs dropped without a backward, with the collector off: how many nodes are still alive."""
    import mygrad as torch
    leaf = torch.randn(8, requires_grad=True)
    alive = []
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(graphs):
            y = (leaf * 2).exp().sum()
            alive.append(weakref.ref(y.grad_fn))
            del y
        remaining = sum(ref() is not None for ref in alive)
    finally:
        if was:
            gc.enable()
    return {"property": f"{graphs:,} graphs dropped without backward, collector off", "figure": remaining,
            "unit": "nodes alive", "target": "0", "met": remaining == 0}


def _chain_seconds(n: int) -> float:
    import mygrad as torch
    x = torch.ones(4, requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(n):
        y = y + 1
    y.sum().backward()
    del y
    return time.perf_counter() - start


def _fan_in_seconds(n: int) -> float:
    import mygrad as torch
    x = torch.ones(4, requires_grad=True)
    start = time.perf_counter()
    total = x * 1
    for _ in range(n - 1):
        total = total + x
    total.sum().backward()
    del total
    return time.perf_counter() - start


def linear(name: str, seconds_of, n: int) -> dict:
    """Per-op time at n over per-op time at n / 10 (1.0: linear), after one run at n proves no recursion."""
    short = seconds_of(n // 10) / (n // 10)
    long = seconds_of(n) / n
    return {"property": f"{name} of {n:,} ops: forward, backward, freed", "figure": round(long / short, 2),
            "unit": f"per-op time vs {n // 10:,} ops ({long * 1e6:.2f} us/op)", "target": "<= 1.5 (linear)",
            "met": long / short <= 1.5}


_PEAK_SCRIPT = """
import sys, numpy as np
def peak_kib():  # VmHWM: this address space's peak (getrusage's ru_maxrss would carry the parent's over exec)
    return int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])
lib = __import__(sys.argv[1]); n = int(sys.argv[2])
x = lib.tensor(np.linspace(-1, 1, n), requires_grad=True)
base = peak_kib()
y = ((x * 2).tanh() * x).exp().sum()
y.backward()
print(peak_kib() - base)
"""


def backward_peak(n: int) -> dict:
    """Peak resident memory added by a forward and backward over n float64 elements, each library in its
    own process (torch's allocator is invisible to tracemalloc), mygrad's over torch's."""
    peaks = {}
    for lib in ("torch", "mygrad"):
        out = subprocess.run([sys.executable, "-c", _PEAK_SCRIPT, lib, str(n)], capture_output=True, text=True,
                             check=True)
        peaks[lib] = max(int(out.stdout.strip()), 1)
    ratio = peaks["mygrad"] / peaks["torch"]
    return {"property": f"peak memory of a backward over {n:,} float64 elements", "figure": round(ratio, 2),
            "unit": f"x torch's ({peaks['mygrad'] // 1024} MiB vs {peaks['torch'] // 1024} MiB)",
            "target": "<= 1.5", "met": ratio <= 1.5}


def run(size: str) -> list:
    steps, chain, fan_in, elements = SIZES[size]
    return [flat_memory(steps), freed_without_collector(steps), linear("chain", _chain_seconds, chain),
            linear("fan-in", _fan_in_seconds, fan_in), backward_peak(elements)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="full")
    parser.add_argument("--json", help="also write the rows here")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(1000)  # a recursive engine would fail here; mygrad's is iterative
    rows = run(args.size)
    print("| property | figure | unit | target | met |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['property']} | {row['figure']} | {row['unit']} | {row['target']} | "
              f"{'yes' if row['met'] else 'NO'} |")
    print(f"\n(python -m benchmarks.scale --size {args.size}; peak memory from /proc/self/status VmHWM)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
