"""The tests ``python -m conformance`` collects (with ``-p conformance.plugin``, which parametrizes them)."""
from __future__ import annotations

from . import machine, runner


def test_behaviour(conformance_behaviour, conformance_run) -> None:
    conformance_run(machine.run_machine(conformance_run.profile, conformance_run.seed, conformance_run.checks))


def test_op(conformance_case, conformance_run) -> None:
    conformance_run(runner.run_case(conformance_case, conformance_run.profile, conformance_run.seed,
                                    conformance_run.checks))
