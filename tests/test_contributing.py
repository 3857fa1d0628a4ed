"""CONTRIBUTING.md's worked example is the code it describes: its op (step 2) and its records (step 3) are
taken out of the Markdown, run as a module, and put through the harness in place of mygrad's own logit;
they must pass on the first run, so the guide cannot drift from the code a contributor would write."""
from __future__ import annotations

import re
import types
from dataclasses import replace
from pathlib import Path

import pytest

import mygrad
from conformance import runner
from conformance.profiles import PROFILES
from mygrad.autograd import backends
from mygrad.ops import _errors

GUIDE = Path(__file__).resolve().parent.parent / "CONTRIBUTING.md"

# What the guide's snippets take as given (a family module's and a records module's own imports)
PREAMBLE = """\
from __future__ import annotations
import numpy as np
from hypothesis import strategies as st
from mygrad import _dtype
from mygrad._quiet import quiet
from mygrad._tensor import Tensor
from mygrad.autograd.backends import formula_helper
from mygrad.autograd.node import derivative
from mygrad.ops._define import methods, record
from conformance.registry import Record
from conformance.strategies import Domain, unary
"""


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def worked_example(blocks: list[str]) -> str:
    """The op (the block that declares LogitBackward0) and its records (the block with RECORDS)."""
    op = [b for b in blocks if 'derivative("LogitBackward0"' in b]
    records = [b for b in blocks if "RECORDS = [" in b and 'Record("logit"' in b]
    assert len(op) == 1 and len(records) == 1, "CONTRIBUTING.md's worked example (logit) is not where it was"
    return PREAMBLE + op[0] + "\n" + records[0]


@pytest.fixture
def guide_module(monkeypatch, tmp_path):
    """The worked example as a module, its op installed as mygrad's logit (function, method, in-place)."""
    for table in (backends.ARRAY, backends.TENSOR):   # its formula helper replaces mygrad's for the test only
        if "logit_backward" in table:
            monkeypatch.setitem(table, "logit_backward", table["logit_backward"])
    for name in ("logit", "logit_"):
        monkeypatch.setattr(mygrad.Tensor, name, getattr(mygrad.Tensor, name))
    source = worked_example(python_blocks(GUIDE.read_text()))
    path = tmp_path / "contributing_logit.py"
    path.write_text(source)
    module = types.ModuleType("contributing_logit")
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    namespace = {"logit": module.logit}
    _errors.check_tensor_inputs(namespace, ["logit"])   # as the public namespace wraps it
    monkeypatch.setattr(mygrad, "logit", namespace["logit"])
    monkeypatch.setattr(mygrad.special, "logit", namespace["logit"])
    return module


def test_the_guide_shows_its_worked_example():
    source = worked_example(python_blocks(GUIDE.read_text()))
    assert "def logit(" in source and "methods(" in source


def test_the_worked_example_passes_the_harness_on_its_first_run(guide_module):
    method = mygrad.Tensor.logit   # (methods() wraps it in torch's argument check)
    assert getattr(method, "__wrapped__", method) is guide_module.logit
    assert getattr(mygrad.logit, "__wrapped__", None) is guide_module.logit
    profile = replace(PROFILES["quick"], shrink_seconds=0.0)
    failed = []
    for record in guide_module.RECORDS:
        for case in runner.cases([record]):
            result = runner.run_case(case, profile)
            assert result.examples > 0, case.id
            if not result.ok:
                failed.append(result.summary())
    assert not failed, "\n".join(failed)
