"""How hard the suite tries: examples per (op, call form, dtype), and the behaviour machine's runs."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    examples: int          # Hypothesis examples per (record, call form, dtype)
    machine_runs: int      # state-machine programs in the behaviour suite
    machine_steps: int     # steps per program
    shrink: bool = True    # shrink each failing check to a minimal example


PROFILES = {
    "quick": Profile("quick", examples=5, machine_runs=10, machine_steps=20),
    "ci": Profile("ci", examples=25, machine_runs=60, machine_steps=30),
    "thorough": Profile("thorough", examples=200, machine_runs=400, machine_steps=50),
}


def get(name: str, examples: int | None = None) -> Profile:
    """A named profile, optionally with its example count replaced."""
    profile = PROFILES[name]
    if examples is not None:
        profile = Profile(profile.name, examples, profile.machine_runs, profile.machine_steps, profile.shrink)
    return profile
