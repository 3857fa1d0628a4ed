"""How hard the suite tries: examples per (op, call form, dtype), the behaviour machine's runs, the random programs."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    name: str
    examples: int          # Hypothesis examples per (record, call form, dtype)
    machine_runs: int      # state-machine programs in the behaviour suite
    machine_steps: int     # steps per program
    shrink_seconds: float = 10.0   # at most this long shrinking one failing check (0: report unshrunk)
    program_runs: int = 10         # randomized programs (programs.py)
    program_steps: int = 10        # steps per program at most (after its first leaves)


PROFILES = {
    "quick": Profile("quick", examples=5, machine_runs=15, machine_steps=20, shrink_seconds=5.0,
                     program_runs=20, program_steps=10),
    "ci": Profile("ci", examples=25, machine_runs=100, machine_steps=40, shrink_seconds=10.0,
                  program_runs=150, program_steps=15),
    "thorough": Profile("thorough", examples=200, machine_runs=500, machine_steps=50, shrink_seconds=60.0,
                        program_runs=1500, program_steps=30),
}


def get(name: str, examples: int | None = None, shrink: bool = True) -> Profile:
    """A named profile, optionally with its example count replaced or shrinking turned off."""
    profile = PROFILES[name]
    if examples is not None:
        profile = replace(profile, examples=examples)
    if not shrink:
        profile = replace(profile, shrink_seconds=0.0)
    return profile
