"""One library's side of a case, in a process of its own.

``python -m benchmarks.worker KEY INDEX SIZE LIBRARY THREADS`` builds the implementation, then
answers the runner's commands on stdin, one per line: ``calibrate SECONDS`` (how many
iterations make a sample last that long), ``sample N`` (wall-clock and CPU seconds taken by N
iterations),
``quit``.  With ``--memory`` it prints the peak traced memory of a step and exits.

A process per library means each is measured as a program using only that library runs:
torch's ~150,000 Python objects are not in mygrad's heap, where every full collection of the
cyclic garbage collector would walk them.
"""
from __future__ import annotations

import sys
import time

from .timing import calibrate, peak_memory, thread_limit, warm_up
from .workloads import find_case


def _reply(value) -> None:
    sys.stdout.write(f"{value}\n")
    sys.stdout.flush()


def main(argv: list) -> int:
    key, index, size, library, threads = argv[:5]
    case = find_case(key, int(index), size)
    with thread_limit(int(threads), torch=library == "torch"):
        if "--memory" in argv:
            _reply(peak_memory(case.factories[library]))
            return 0
        impl = case.factories[library]()
        warm_up(impl)
        run = impl.run
        for line in sys.stdin:
            command, *args = line.split()
            if command == "calibrate":
                _reply(calibrate(run, float(args[0])))
            elif command == "sample":
                start, start_cpu = time.perf_counter(), time.process_time()
                for _ in range(int(args[0])):
                    run()
                _reply(f"{time.perf_counter() - start} {time.process_time() - start_cpu}")
            elif command == "quit":
                break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
