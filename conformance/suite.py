"""The tests ``python -m conformance`` collects (with ``-p conformance.plugin``, which parametrizes them)."""
from __future__ import annotations

from . import hygiene, machine, programs, runner


def test_behaviour(conformance_behaviour, conformance_run) -> None:
    conformance_run(hygiene.checked(
        lambda: machine.run_machine(conformance_run.profile, conformance_run.seed, conformance_run.checks)))


def test_programs(conformance_programs, conformance_run) -> None:
    conformance_run(hygiene.checked(
        lambda: programs.run_programs(conformance_run.profile, conformance_run.seed, conformance_run.checks)))


def test_op(conformance_case, conformance_run) -> None:
    conformance_run(hygiene.checked(
        lambda: runner.run_case(conformance_case, conformance_run.profile, conformance_run.seed,
                                conformance_run.checks)))
