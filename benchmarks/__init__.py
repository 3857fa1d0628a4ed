"""Benchmarks: mygrad against hand-written NumPy (its floor) and torch eager (its peer), side by side.

``python -m benchmarks`` runs every workload for every implementation in one process,
checks that they compute the same losses and gradients, times them in interleaved rounds
and writes a Markdown table (``benchmarks/RESULTS.md``) and a JSON file
(``benchmarks/results/latest.json``).  ``python -m benchmarks --help`` lists the options.
"""
