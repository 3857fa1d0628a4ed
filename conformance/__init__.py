"""conformance: proves, op by op and behaviour by behaviour, that mygrad matches the installed PyTorch.

The public API, for checking your own ops (or your own engine) against torch from your own tests:

    import conformance
    from conformance import Record, unary

    def my_op(lib, x):                        # written once against the torch API
        return (x * x.sigmoid()).sum(-1)

    def test_my_op():
        conformance.check(Record("my_op", unary(), forms=("call",), call=my_op))

``Record`` declares how to call the op and what to draw (the strategy builders below);
``Record.custom`` pairs torch's reference with your own implementation; ``check`` runs every
applicable check on every call form and dtype of the record and raises ``ConformanceFailure``
(an ``AssertionError``, with the matrix and a standalone repro program per mismatch) if any fails.
"""
from __future__ import annotations

from .plugin import Only
from .registry import FORMS, Example, LibAttr, Record, TensorArg
from .strategies import (
    Domain,
    arrays,
    binary,
    dims_for,
    grad_flags,
    matmul,
    nary,
    nonzero,
    open_unit,
    positive,
    real,
    reduction,
    shapes,
    tensor_lists,
    unary,
)

__all__ = ["FORMS", "ConformanceFailure", "Domain", "Example", "LibAttr", "Only", "Record", "TensorArg", "arrays",
           "binary", "check", "dims_for", "grad_flags", "matmul", "nary", "nonzero", "open_unit", "positive", "real",
           "reduction", "shapes", "tensor_lists", "unary"]


class ConformanceFailure(AssertionError):
    """A record's op does not behave as torch's: the message holds the matrix and every mismatch's repro."""

    def __init__(self, message: str, report):
        super().__init__(message)
        self.report = report


def check(record: Record, *, forms=None, dtypes=None, checks=None, library: str = "mygrad",
          profile: str = "quick", examples: int | None = None, seed: int = 0, shrink: bool = True,
          report_dir=None):
    """Run every check (or ``checks``) on every call form and dtype of ``record`` (or ``forms``/``dtypes``)
    against ``library``; return the ``report.Report``, or raise ``ConformanceFailure`` on any mismatch,
    an op the library lacks, or a record torch itself refuses (a dead record).

    ``profile``: "quick" (5 examples per case), "ci" (25) or "thorough" (200); ``examples`` overrides
    it.  ``report_dir``: also write report.json and report.md there.
    """
    from . import checks as checks_module, paired, profiles, runner
    from .report import Report

    chosen = checks_module.select(checks)
    previous = paired.tested()
    paired.use_library(library)
    try:
        found = runner.cases([record], list(forms) if forms else None, list(dtypes) if dtypes else None)
        if not found:
            raise ValueError(f"{record.row}: no case to run (forms {forms}, dtypes {dtypes})")
        settings = profiles.get(profile, examples, shrink=shrink)
        only = None if chosen == checks_module.DEFAULT_CHECKS else chosen
        results = [runner.run_case(case, settings, seed, only).to_json() for case in found]
        options = {"ops": record.row, "checks": " ".join(chosen) if only else "all", "library": library,
                   "profile": profile, "examples": settings.examples, "seed": seed}
        report = Report(results, [record.row], options, round(sum(r["seconds"] for r in results), 1))
    finally:
        paired.use_library(previous)
    if report_dir is not None:
        report.write(report_dir)
    if not report.ok:
        from .report import failure_details
        raise ConformanceFailure("\n".join([report.summary_line(), "", report.terminal(), "",
                                            failure_details(report.failed_cases)]), report)
    return report
