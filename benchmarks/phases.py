"""``python -m benchmarks.phases``: mygrad's time per phase, for finding where a change helps.

The runner (``python -m benchmarks``) times whole steps against torch and NumPy; this splits
mygrad's own time in one process: B1's step into forward, backward and the SGD update, and
B3's and B4's chains into forward and backward per op.  Figures are process CPU time, the best
of ``--rounds`` rounds (the least disturbed by other work on the machine), in microseconds.
Forward times include freeing the graph the forward built, as a training loop does.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import mygrad
from .workloads.chains import CYCLE, _addition_chain, _mixed_chain
from .workloads.network import PARAMS, make_arrays


def best_of(fn, rounds: int, repeat: int) -> float:
    """The lowest CPU time per call of ``fn`` (us) over ``rounds`` rounds of ``repeat`` calls."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(repeat):
            fn()
        best = min(best, (time.process_time() - start) / repeat * 1e6)
    return best


def tutorial_phases(rounds: int) -> dict:
    """B1's step, the same code as the workload, timed forward alone, forward + backward, and update."""
    arrays = make_arrays(100, 3, 32, 1, "float64")
    x, y = (mygrad.tensor(arrays[k]) for k in ("x", "y"))
    params = [mygrad.tensor(arrays[k], requires_grad=True) for k in PARAMS]
    w1, b1, w2, b2 = params

    def forward():
        y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        return (y_pred - y).pow(2).sum()

    def forward_backward():
        forward().backward()

    def update():
        with mygrad.no_grad():
            for w in params:
                w.sub_(1e-4 * w.grad)
                w.grad.zero_()

    forward_backward()
    f, fb, u = (best_of(fn, rounds, 200) for fn in (forward, forward_backward, update))
    return {"forward": f, "backward": fb - f, "update": u, "step": fb + u}


def chain_phases(chain, length: int, ops: int, rounds: int) -> dict:
    """``chain(x, c, length)`` (``ops`` ops) on a (4,) leaf: forward per op, and backward
    (``.sum().backward()``) per op."""
    x = mygrad.tensor(np.linspace(0.1, 0.4, 4), requires_grad=True)
    c = mygrad.tensor(np.full(4, 0.001))

    def forward():
        return chain(x, c, length)

    def forward_backward():
        forward().sum().backward()
        x.grad = None

    repeat = max(1, 20_000 // ops)
    f, fb = (best_of(fn, rounds, repeat) / ops for fn in (forward, forward_backward))
    return {"forward": f, "backward": fb - f, "total": fb}


def _additions(x, c, n):
    return _addition_chain(x, n)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phases", description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    rows = [("B1 step (us)", tutorial_phases(args.rounds)),
            ("B3 per op (us)", chain_phases(_mixed_chain, 1000 // CYCLE, 1000, args.rounds)),
            ("B4 n=10,000 per op (us)", chain_phases(_additions, 10_000, 10_000, args.rounds)),
            ("B4 n=100,000 per op (us)", chain_phases(_additions, 100_000, 100_000, max(3, args.rounds // 5)))]
    for name, phases in rows:
        print(f"{name:26s} " + "  ".join(f"{k} {v:.2f}" for k, v in phases.items()))


if __name__ == "__main__":
    main()
