"""Run one (record, call form, dtype) case: Hypothesis draws examples, every check judges each one.

A case runs in two phases.  The survey draws the profile's number of examples and tallies, per
check, how many examples passed and failed; no check stops it, so each is counted on its own.
Then, for every check that failed, a second Hypothesis run with the same seed draws the same
examples until that check fails and shrinks the example for that check alone; the shrunk example
becomes the report's standalone snippet.  The plugin and the self-tests both call ``run_case``.
"""
from __future__ import annotations

import time
import traceback
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, assume, given, seed as hypothesis_seed, settings
from hypothesis import strategies as st

from . import checks, report
from .paired import HarnessError, observe
from .profiles import Profile
from .registry import FORMS, Example, Record
from .strategies import example_for

SEED_RANGE = 2 ** 32 - 1


@dataclass(frozen=True)
class Case:
    record: Record
    form: str
    dtype: str

    @property
    def id(self) -> str:
        return f"{self.record.row}[{self.form}-{self.dtype}]"


def cases(records: list[Record], forms: list[str] | None = None, dtypes: list[str] | None = None) -> list[Case]:
    """Every (record, form, dtype) to run, in registry order, optionally narrowed."""
    found = []
    for record in records:
        for form in record.forms:
            if form not in FORMS:
                raise ValueError(f"{record.row}: unknown call form {form!r} (known: {', '.join(FORMS)})")
            if forms and form not in forms:
                continue
            for dtype in record.dtypes:
                if dtypes and dtype not in dtypes:
                    continue
                found.append(Case(record, form, dtype))
    return found


@dataclass
class Failure:
    """One check's mismatch in one case, with the (shrunk) example that shows it."""
    check: str
    diff: str
    numbers: dict
    snippet: str
    example: str
    shrunk: bool
    failed_examples: int


@dataclass
class CaseResult:
    row: str
    op: str
    form: str
    dtype: str
    examples: int = 0
    counts: dict = field(default_factory=dict)    # check -> [passed, failed]
    failures: list = field(default_factory=list)  # Failure
    crash: str | None = None                      # the harness could not run the case (a record mistake)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures and self.crash is None

    def to_json(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.crash:
            return f"{self.row} [{self.form}, {self.dtype}]: could not run: {self.crash.splitlines()[-1]}"
        return "\n".join(f"{self.row} [{self.form}, {self.dtype}] {f.check}: {f.diff}" for f in self.failures)


def applicable(case: Case, example: Example) -> bool:
    """Whether the call form can run this example at all: the operator forms take no keyword
    arguments, the reflected one needs a Python scalar second.  The shared builders only draw
    applicable examples; a record's own builder that is not ``form_aware`` may not."""
    if case.form in ("operator", "roperator") and example.kwargs:
        return False
    if case.form == "roperator":
        return len(example.args) == 2 and isinstance(example.args[1], (bool, int, float))
    return True


def evaluate(case: Case, example: Example, upstream_seed: int):
    """Run one example in both libraries; every check's verdict, and the two observations."""
    t = observe(case.record, case.form, "torch", example, upstream_seed)
    m = observe(case.record, case.form, "mygrad", example, upstream_seed)
    verdicts = checks.compare(t, m, checks.Context(case.dtype, case.record.tolerance))
    return verdicts, t, m


def _settings(profile: Profile, shrink: bool) -> settings:
    return settings(max_examples=profile.examples, deadline=None, database=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example],
                    phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
                    verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False)


def case_seed(case_id: str, base_seed: int) -> int:
    """A stable per-case seed (Python's hash() is salted per process, crc32 is not)."""
    return (zlib.crc32(case_id.encode()) + base_seed * 1_000_003) % SEED_RANGE


def _run_hypothesis(case: Case, profile: Profile, base_seed: int, shrink: bool, body) -> None:
    drawn = st.tuples(example_for(case.record.example, case.dtype, case.form), st.integers(0, SEED_RANGE))
    test = _settings(profile, shrink)(given(drawn)(body))
    with no_local_constants():
        hypothesis_seed(case_seed(case.id, base_seed))(test)()


@contextmanager
def no_local_constants():
    """Keep Hypothesis from mixing literals found in the project's own modules into the draws.

    Hypothesis collects constants from every loaded local module (mygrad's, the records') and draws
    them now and then.  The pool changes whenever a module is loaded lazily or edited, so the same
    seed would draw different examples from one run (or one commit) to the next, and a shrink run
    could miss the failure its survey found.  Value domains and special points are the strategies'
    job here, so the pool is emptied while the harness runs.
    """
    try:
        from hypothesis.internal.conjecture import providers
        empty = type(providers._local_constants)()
        original = providers._get_local_constants
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - Hypothesis moved its internals
        yield
        return
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original


@contextmanager
def shrink_budget(seconds: float):
    """Cap the time Hypothesis spends shrinking one failure (its own cap is 5 minutes): a failing
    state-machine program can take that long, and the report is useful well before."""
    try:
        from hypothesis.internal.conjecture import engine
    except ImportError:  # pragma: no cover - Hypothesis moved its internals: keep its own cap
        yield
        return
    old = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    engine.MAX_SHRINKING_SECONDS = seconds
    try:
        yield
    finally:
        if old is not None:
            engine.MAX_SHRINKING_SECONDS = old


class _Found(Exception):
    """Raised inside the shrink run when the check under study fails (Hypothesis shrinks on it)."""

    def __init__(self, example, upstream_seed, verdict, t, m):
        super().__init__(verdict.diff)
        self.found = (example, upstream_seed, verdict, t, m)


def run_case(case: Case, profile: Profile, base_seed: int = 0) -> CaseResult:
    """Survey the case, then shrink a minimal example for every check that failed."""
    started = time.perf_counter()
    result = CaseResult(case.record.row, case.record.name, case.form, case.dtype,
                        counts={name: [0, 0] for name in checks.CHECKS})
    first_failure: dict = {}

    def survey(drawn):
        example, upstream_seed = drawn
        assume(applicable(case, example))  # a call form that cannot take this example (not a value domain)
        verdicts, t, m = evaluate(case, example, upstream_seed)
        result.examples += 1
        for name, verdict in verdicts.items():
            if verdict is None:
                continue
            result.counts[name][0 if verdict.ok else 1] += 1
            if not verdict.ok and name not in first_failure:
                first_failure[name] = (example, upstream_seed, verdict, t, m)

    try:
        _run_hypothesis(case, profile, base_seed, False, survey)
    except HarnessError as exc:
        result.crash = f"HarnessError: {exc}"
    except Exception:  # a broken strategy or record: the row shows it, the run goes on
        result.crash = traceback.format_exc(limit=6)

    for name in checks.CHECKS:
        if name not in first_failure:
            continue
        found, shrunk = first_failure[name], False
        if profile.shrink_seconds > 0:
            with shrink_budget(profile.shrink_seconds):
                minimal = _shrink(case, profile, base_seed, name)
            if minimal is not None:
                found, shrunk = minimal, True
        example, upstream_seed, verdict, t, m = found
        try:
            snippet = report.snippet(case, example, name, t, m)
        except Exception:  # a snippet the harness cannot write must not hide the mismatch itself
            snippet = f"# could not write a snippet:\n# {traceback.format_exc(limit=3)}"
        result.failures.append(Failure(
            check=name, diff=verdict.diff, numbers=verdict.numbers, snippet=snippet,
            example=repr(example), shrunk=shrunk, failed_examples=result.counts[name][1]))
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _shrink(case: Case, profile: Profile, base_seed: int, check: str):
    """The minimal example on which ``check`` fails (None if Hypothesis could not reproduce it)."""
    def body(drawn):
        example, upstream_seed = drawn
        assume(applicable(case, example))  # a call form that cannot take this example (not a value domain)
        verdicts, t, m = evaluate(case, example, upstream_seed)
        verdict = verdicts[check]
        if verdict is not None and not verdict.ok:
            raise _Found(example, upstream_seed, verdict, t, m)

    try:
        _run_hypothesis(case, profile, base_seed, True, body)
    except _Found as exc:
        return exc.found
    except Exception:  # flaky reproduction: keep the survey's example
        return None
    return None
