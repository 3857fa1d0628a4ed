"""The randomized programs (conformance/programs.py) catch engine bugs by themselves, at the ci profile:
each test injects one bug into mygrad with monkeypatch and asserts that the ``programs`` row reports it
under the right check, with a short program that runs as is with torch.  Also: the correct engine passes,
the programs explore (most steps succeed, backward calls, many registry rows), and ``--ops programs``
selects the row."""
from __future__ import annotations

import contextlib
import io
import json
from dataclasses import replace

import mygrad
from conformance import __main__ as cli, programs
from conformance.profiles import PROFILES
from test_harness_bug_classes import patch_engine

CI = replace(PROFILES["ci"], shrink_seconds=0.0)   # the ci profile's programs (reporting unshrunk is faster)


def failures_of(profile=CI) -> dict:
    result = programs.run_programs(profile)
    assert result.crash is None, result.crash
    return {f.check: f for f in result.failures}


def runs_with_torch(source: str) -> None:
    """A reported program is standalone torch code: it runs to its end with torch."""
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, "<program>", "exec"), {})


def test_the_correct_engine_passes_the_ci_programs():
    result = programs.run_programs(CI)
    assert result.crash is None, result.crash
    assert result.ok, result.summary()
    assert result.examples == CI.program_runs
    mix = result.stats
    assert mix["succeeded"] > 10 * mix["raised"], mix          # programs explore rather than error
    assert mix["backward_ok"] > CI.program_runs, mix            # several backward calls per program on average
    assert mix["registry_rows"] > 30, mix                       # records from across the registry


def test_a_diamond_that_drops_a_branch_is_shrunk_to_a_short_program(monkeypatch):
    """The second gradient to reach a node replaces the first instead of adding to it."""
    patch_engine(monkeypatch, ("buf[nr] = g if buf[nr] is None else buf[nr] + g", "buf[nr] = g"))
    failures = failures_of(replace(CI, shrink_seconds=20.0))
    assert "grad" in failures, failures
    found = failures["grad"]
    assert ".grad" in found.diff and found.shrunk, found
    assert "backward(" in found.snippet and "# ^ grad differs here" in found.snippet
    assert len(found.snippet.splitlines()) <= 12, found.snippet
    runs_with_torch(found.snippet)


def test_a_retained_grad_replaced_instead_of_accumulated(monkeypatch):
    retain = mygrad.Tensor._retain

    def replace_it(self, grad):
        self._grad = None
        return retain(self, grad)
    monkeypatch.setattr(mygrad.Tensor, "_retain", replace_it)
    failures = failures_of()
    assert "grad" in failures, failures
    assert "retain_grad()" in failures["grad"].snippet
    runs_with_torch(failures["grad"].snippet)


def test_an_edit_under_no_grad_that_does_not_bump_the_version(monkeypatch):
    """An in-place op under no_grad that leaves the version counter alone (a later backward through a value it
    changed then computes with the new value instead of raising as torch does)."""
    mul_ = mygrad.Tensor.mul_

    def quiet_mul_(self, other):
        if mygrad.is_grad_enabled():
            return mul_(self, other)
        self._data *= other
        return self
    monkeypatch.setattr(mygrad.Tensor, "mul_", quiet_mul_)
    failures = failures_of()
    assert "flags" in failures or "errors" in failures, failures
    found = failures.get("flags") or failures["errors"]
    assert "mul_" in found.snippet
    runs_with_torch(found.snippet)


def test_the_command_line_selects_the_programs_row(tmp_path):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = cli.main(["--ops", "programs", "--profile", "quick", "--report", str(tmp_path)])
    assert code == 0, out.getvalue()
    report = json.loads((tmp_path / "report.json").read_text())
    assert [c["row"] for c in report["cases"]] == ["programs"]
    assert "programs mix:" in out.getvalue()


def test_a_program_stops_without_a_mismatch_where_torch_itself_breaks():
    """torch raising an internal assert (its message asks for a bug report) is torch malfunctioning, not a
    behaviour to reproduce: the program stops there, counted, with nothing reported."""
    def run(lib, env):
        if lib.__name__ == "torch":
            raise RuntimeError('out != nullptr INTERNAL ASSERT FAILED at "variable.cpp":207, please report a bug')
        return None
    first: dict = {}
    stats = programs._new_stats()
    run_ = programs.Run(programs.Program([programs.Step("op", "t.mul_(0.5)", run)]),
                        {c: [0, 0] for c in programs.CHECKS}, None, first, stats)
    run_.go()
    assert not first and stats["torch_broke"] == 1 and programs.mix(stats)["torch_broke"] == 1
