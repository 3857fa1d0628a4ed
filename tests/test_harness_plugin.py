"""The pytest plugin collecting ``conformance_records`` from a user's own test module: one test per
(record, call form, dtype), a failure with its repro, the matrix at the end, ``Only`` narrowing."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFTEST = 'pytest_plugins = ["conformance.plugin"]\n'
MODULE = '''
import torch
from conformance import Only, Record, real, unary

def off_by_a_little(x):          # softplus, 0.1% too large: wrong values and gradients
    return x.exp().log1p() * 1.001

def square(lib, x):
    return x * x

conformance_records = [
    Record("square", unary(real(-4, 4)), forms=("call",), call=square, dtypes=("float64",)),
    Only(Record.custom("softplus", unary(real(-4, 4)), reference=torch.nn.functional.softplus,
                       implementation=off_by_a_little), checks=["value", "grad"], dtypes=["float64"]),
]
'''


def _pytest(tmp_path, module: str, *options) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_user_ops.py").write_text(textwrap.dedent(module))
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path / "hyp")}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-rf",
                           "--conformance-profile", "quick", *options], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600, check=False)


def test_records_of_a_user_module_run_as_tests_with_repro_and_matrix(tmp_path):
    proc = _pytest(tmp_path, MODULE, "--conformance-report", str(tmp_path / "report"))
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
    assert "1 failed, 1 passed" in out
    assert "test_user_ops.py::conformance_records::softplus[call-float64]" in out
    # the failure names the check and carries a standalone program that runs with torch
    assert "softplus [call, float64] value:" in out and "repro:" in out and "import torch" in out
    # the matrix: square passes every check; softplus runs value and grad only, and fails them
    assert "op-by-check matrix" in out
    square = next(line for line in out.splitlines() if line.startswith("square "))
    softplus = next(line for line in out.splitlines() if line.startswith("softplus "))
    assert "FAIL" not in square and "-" not in square.split()[1:]
    assert softplus.count("FAIL") == 2 and softplus.split()[1] == "-"
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert not report["ok"] and {c["row"] for c in report["cases"]} == {"square", "softplus"}


def test_a_module_without_records_is_left_alone(tmp_path):
    proc = _pytest(tmp_path, "def test_plain():\n    assert 1 + 1 == 2\n")
    assert proc.returncode == 0 and "1 passed" in proc.stdout and "matrix" not in proc.stdout


def test_a_wrong_entry_is_a_collection_error(tmp_path):
    proc = _pytest(tmp_path, "conformance_records = ['add']\n")
    assert proc.returncode == 2, proc.stdout[-2000:]
    assert "conformance.Record or conformance.Only" in proc.stdout


def test_the_package_declares_no_pytest11_entry_point():
    """pytest rewrites the asserts of every module of a distribution that declares a ``pytest11`` entry point:
    mygrad's own modules would then carry pytest's helpers (``@py_builtins``) and their AssertionErrors
    pytest's messages instead of torch's.  So the plugin is loaded by ``pytest_plugins`` or ``-p`` only."""
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "pytest11" not in project.get("entry-points", {})
