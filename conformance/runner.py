"""Run one (record, call form, dtype) case: Hypothesis draws examples, every check judges each one.

A case runs in two phases (``survey_then_shrink``, shared with the behaviour suite).  The survey
draws the profile's number of examples (straight from the strategy, seeded per case: see
``_survey_draws``) and tallies, per check, how many examples passed and failed; no check stops it,
so each is counted on its own.  Then, for every check that failed, Hypothesis's engine replays that
check's first failing example from its recorded choices and shrinks it for that check alone; the
shrunk example becomes the report's standalone snippet.  The plugin, ``conformance.check`` and the
self-tests all call ``run_case``.

Before the survey, a case whose op the library under test does not have is reported as
*missing* (not as a failure of every check); after it, a record on which torch itself raised on
(nearly) every example is reported as *dead* (its arguments are wrong: it tests nothing).
"""
from __future__ import annotations

import random
import time
import traceback
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, assume, given, seed as hypothesis_seed, settings, strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from . import checks, report
from .error_inputs_pending import ERROR_INPUTS_PENDING
from .paired import HarnessError, library, observe, operator_name, resolve, tested
from .profiles import Profile
from .registry import FORMS, Example, Record
from .strategies import draws_hostile, example_for

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
    missing: str | None = None                    # the library under test lacks the op: what it lacks
    torch_raised: int = 0                         # examples on which torch raised in the forward
    torch_error: str = ""                         # the first of those errors
    raises_expected: bool = False                 # Record.raises: torch refusing is the point (error parity)
    differs: str | None = None                    # failures expected on this torch version (Record.torch)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (not self.failures or self.differs is not None) and self.crash is None and self.missing is None

    def to_json(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        if self.missing:
            return f"{self.row} [{self.form}, {self.dtype}]: missing in {tested()}: {self.missing}"
        if self.crash:
            return f"{self.row} [{self.form}, {self.dtype}]: could not run: {self.crash.splitlines()[-1]}"
        return "\n".join(f"{self.row} [{self.form}, {self.dtype}] {f.check}: {f.diff}" for f in self.failures)


def applicable(case: Case, example: Example) -> bool:
    """Whether the call form can run this example at all: the operator forms take no keyword
    arguments, the reflected one needs a Python scalar second.  The shared builders only draw
    applicable examples; a record's own builder that leaves out ``form`` may not."""
    if case.form in ("operator", "roperator") and example.kwargs:
        return False
    if case.form == "roperator":
        return len(example.args) == 2 and isinstance(example.args[1], (bool, int, float))
    return True


def evaluate(case: Case, example: Example, upstream_seed: int, only: tuple | None = None):
    """Run one example in both libraries; every check's verdict (or ``only`` these), and the two observations."""
    bad_calls = "error_inputs" in (only or checks.DEFAULT_CHECKS)
    t = observe(case.record, case.form, "torch", example, upstream_seed, bad_calls)
    m = observe(case.record, case.form, "mygrad", example, upstream_seed, bad_calls)
    verdicts = checks.compare(t, m, checks.Context(case.dtype, case.record.tolerance), only)
    return verdicts, t, m


def missing(case: Case) -> str | None:
    """What the library under test lacks (and torch has) to run the case's call form (None: nothing)."""
    record = case.record
    try:
        lib = library("mygrad")
    except ImportError as exc:
        return f"the module does not import ({exc})"
    torch = library("torch")

    def lacks(module, path: str) -> bool:
        try:
            resolve(module, path)
        except (AttributeError, ImportError):
            return True
        return False

    wanted = {"function": ".".join(p for p in (record.namespace, record.name) if p),
              "method": f"Tensor.{record.name}", "inplace": f"Tensor.{record.name}_"}.get(case.form)
    if case.form in ("operator", "roperator"):
        wanted = f"Tensor.__{'r' if case.form == 'roperator' else ''}{operator_name(record).rstrip('_')}__"
    if wanted and lacks(lib, wanted) and not lacks(torch, wanted):
        return f"{tested()}.{wanted}"
    return None


DEAD_SHARE = 0.95   # torch raising on at least this share of a record's examples makes the record dead
DEAD_MIN = 10       # ... judged on at least this many examples (a few can all be refused by chance)


def _settings(profile: Profile, shrink: bool) -> settings:
    return settings(max_examples=profile.examples, deadline=None, database=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example],
                    phases=(Phase.generate, Phase.shrink) if shrink else (Phase.generate,),
                    verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False)


def case_seed(case_id: str, base_seed: int) -> int:
    """A stable per-case seed (Python's hash() is salted per process, crc32 is not)."""
    return (zlib.crc32(case_id.encode()) + base_seed * 1_000_003) % SEED_RANGE


def _drawn(case: Case) -> st.SearchStrategy:
    """What one example draws: the record's call arguments and the seed of its random upstream gradients."""
    return st.tuples(example_for(case.record.example, case.dtype, case.form, draws_hostile(case.record)),
                     st.integers(0, SEED_RANGE))


def _survey_draws(case: Case, profile: Profile, base_seed: int, body) -> None:
    """The survey: ``profile.examples`` examples drawn straight from the case's strategy, from a seeded
    random source, without Hypothesis's engine (its bookkeeping for shrinking and novelty cost as much
    as drawing itself, and the survey needs neither).  The first example is the simplest one the
    strategy can give, as the engine's is.  ``body(value, choices)`` judges each; an example the call
    form cannot take (``assume``) or one too large to draw is replaced by another, at most ten times over.
    """
    from hypothesis.control import BuildContext
    from hypothesis.internal.conjecture.choice import ChoiceTemplate
    from hypothesis.internal.conjecture.data import ConjectureData, Status, StopTest
    from hypothesis.internal.conjecture.engine import BUFFER_SIZE

    drawn = _drawn(case)
    source = random.Random(case_seed(case.id, base_seed))
    accepted = attempts = 0
    with no_local_constants():
        while accepted < profile.examples and attempts < 10 * profile.examples:
            prefix = (ChoiceTemplate("simplest", count=None),) if attempts == 0 else None
            attempts += 1
            data = ConjectureData(random=source, prefix=prefix, max_choices=BUFFER_SIZE)
            try:
                with BuildContext(data, is_final=False, wrapped_test=None):  # type: ignore[arg-type]
                    value = data.draw(drawn)
            except (StopTest, UnsatisfiedAssumption):
                continue
            if data.status == Status.OVERRUN:
                continue
            try:
                body(value, tuple(data.choices))
            except UnsatisfiedAssumption:
                continue
            accepted += 1


def _replay_and_shrink(case: Case, profile: Profile, base_seed: int, body, choices: tuple) -> None:
    """Hypothesis's engine, started from one failing example (its recorded choices, through an in-memory
    example database) and shrinking it; ``body`` raises ``Found`` while the check under study fails."""
    from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes

    key = b"conformance-shrink"
    database = InMemoryExampleDatabase()
    database.save(key, choices_to_bytes(choices))
    test = settings(_settings(profile, True), database=database, phases=(Phase.reuse, Phase.shrink))(
        given(_drawn(case))(body))
    test._hypothesis_internal_database_key = key  # type: ignore[attr-defined]
    test = hypothesis_seed(case_seed(case.id, base_seed))(test)   # a deterministic shrink ...
    test._hypothesis_internal_use_settings = settings(  # type: ignore[attr-defined]
        test._hypothesis_internal_use_settings, database=database)  # type: ignore[attr-defined]
    with no_local_constants():                                    # ... that still reads the database
        test()


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
    engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[assignment]  # (an int constant there)
    try:
        yield
    finally:
        if old is not None:
            engine.MAX_SHRINKING_SECONDS = old


class Found(Exception):
    """Raised inside a shrink run when the check under study fails (Hypothesis shrinks on it); carries
    what the report shows for it (the example and observations, or the behaviour suite's program)."""

    def __init__(self, found):
        super().__init__("the check under study failed")
        self.found = found


def survey_then_shrink(run, names, shrink_seconds: float, first: dict) -> tuple[str | None, list]:
    """The two phases of a case, for the op runner and the behaviour suite alike.

    ``run(target, shrink)`` runs Hypothesis once: with ``target=None`` it surveys (counting every
    check, and putting the first failure of each check into ``first``); with a check name it raises
    ``Found`` on the first example where that check fails, shrinking when ``shrink`` is set.
    Returns the survey's crash (None if it ran) and ``(check, found, shrunk, note)`` for each check
    in ``names`` that failed, with the shrunk example where Hypothesis reproduced it.
    """
    crash = None
    try:
        run(None, False)
    except HarnessError as exc:
        crash = f"HarnessError: {exc}"
    except Exception:  # a broken strategy or record: the row shows it, the run goes on
        crash = traceback.format_exc(limit=6)
    findings = []
    for name in names:
        if name not in first:
            continue
        found, shrunk, note = first[name], False, ""
        if shrink_seconds > 0:
            try:
                with shrink_budget(shrink_seconds):
                    run(name, True)
                note = "not shrunk: the shrink run did not reproduce the failure"
            except Found as exc:
                found, shrunk = exc.found, True
            except Exception as exc:  # flaky reproduction: keep the survey's example, and say why
                note = f"not shrunk: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        findings.append((name, found, shrunk, note))
    return crash, findings


def run_case(case: Case, profile: Profile, base_seed: int = 0, only: tuple | None = None) -> CaseResult:
    """Survey the case, then shrink a minimal example for every check that failed; ``only``: these checks."""
    started = time.perf_counter()
    opted_out = {name for name, _ in case.record.unchecked}
    if only is None and case.record.row in ERROR_INPUTS_PENDING:   # (asked for by name, it runs)
        opted_out.add("error_inputs")
    names = tuple(name for name in (only or checks.DEFAULT_CHECKS) if name not in opted_out)
    result = CaseResult(case.record.row, case.record.name, case.form, case.dtype,
                        counts={name: [0, 0] for name in names})
    result.missing = missing(case)
    if result.missing:
        result.seconds = round(time.perf_counter() - started, 3)
        return result
    first: dict = {}
    torch_raised: list = []
    lacks: list = []   # examples where only the library under test raised AttributeError (a missing name)
    choices_of: dict = {}   # check -> the Hypothesis choices of its first failing example (to replay and shrink)

    def judge(drawn, choices=None):
        example, upstream_seed = drawn
        if not applicable(case, example):  # a call form that cannot take this example (not a value domain)
            raise UnsatisfiedAssumption()
        verdicts, t, m = evaluate(case, example, upstream_seed, names)
        result.examples += 1
        if "forward" in t.errors:
            torch_raised.append(t.errors["forward"])
        elif getattr(m.errors.get("forward"), "cls", None) == "AttributeError":
            lacks.append(m.errors["forward"])
        for name, verdict in verdicts.items():
            if verdict is None:
                continue
            result.counts[name][0 if verdict.ok else 1] += 1
            if not verdict.ok and name not in first:
                first[name] = (example, upstream_seed, verdict, t, m)
                choices_of[name] = choices

    def until_fails(target):
        def body(drawn):
            example, upstream_seed = drawn
            assume(applicable(case, example))
            verdicts, t, m = evaluate(case, example, upstream_seed, (target,))
            verdict = verdicts[target]
            if verdict is not None and not verdict.ok:
                raise Found((example, upstream_seed, verdict, t, m))
        return body

    def run(target, shrink):
        if target is None:
            _survey_draws(case, profile, base_seed, judge)
        else:
            _replay_and_shrink(case, profile, base_seed, until_fails(target), choices_of[target])

    result.crash, findings = survey_then_shrink(run, names, profile.shrink_seconds, first)
    if result.crash is None and result.examples and lacks and len(lacks) + len(torch_raised) == result.examples:
        result.missing = f"AttributeError on every example torch ran: {lacks[0].message}"
        result.failures = []
    result.torch_raised, result.raises_expected = len(torch_raised), case.record.raises
    result.torch_error = str(torch_raised[0]) if torch_raised else ""
    for name, (example, _seed, verdict, t, m), shrunk, _ in ([] if result.missing else findings):
        try:
            snippet = report.snippet(case, example, name, t, m)
        except Exception:  # a snippet the harness cannot write must not hide the mismatch itself
            snippet = f"# could not write a snippet:\n# {traceback.format_exc(limit=3)}"
        diff = verdict.diff if tested() == "mygrad" else verdict.diff.replace("mygrad", tested())
        result.failures.append(Failure(
            check=name, diff=diff, numbers=verdict.numbers, snippet=snippet,
            example=repr(example), shrunk=shrunk, failed_examples=result.counts[name][1]))
    if result.failures and not case.record.supports_torch():
        result.differs = (f"differs on torch {case.record.installed_torch()}: the record describes torch "
                          f"{case.record.torch}")
    result.seconds = round(time.perf_counter() - started, 3)
    return result
