"""The generated code of node classes is readable: tracebacks show its lines, inspect and pdb read it,
one command prints it; and a formula that reads an unknown name fails when it is declared."""
from __future__ import annotations

import inspect
import subprocess
import sys
import traceback

import numpy as np
import pytest

import mygrad
from mygrad.autograd import _source
from mygrad.autograd.node import derivative
from mygrad.ops._define import record
from mygrad.ops.elementwise import MulBackward0
from mygrad.ops.join import UnbindBackward0


def test_generated_functions_have_source():
    x = mygrad.ones(2, requires_grad=True)
    y = x * x  # (each is generated on first use: record and attach here, apply in the backward)
    y.sum().backward(retain_graph=True)
    y.grad_fn.release()
    for fn in (MulBackward0.apply, MulBackward0.release, MulBackward0._attach, MulBackward0._record):
        text = inspect.getsource(fn)
        assert text.startswith("def "), text
    assert "grad * other" in inspect.getsource(MulBackward0.apply)
    assert MulBackward0.apply.__code__.co_filename == "<generated MulBackward0.apply>"


def test_traceback_through_a_backward_shows_the_formula_line():
    node = derivative("CodegenTestBackward0", attrs="k", self="grad * k")
    x = mygrad.ones(2, requires_grad=True)
    y = record(node, x._data * 2, (x,), k="not a number")
    with pytest.raises(Exception) as info:
        y.sum().backward()
    text = "".join(traceback.format_exception(info.value))
    assert 'File "<generated CodegenTestBackward0.apply>"' in text
    assert "_g0 = (grad * k)" in text  # the source line itself, read from linecache


def test_create_graph_formulas_have_source_too():
    node = derivative("CodegenTestBackward1", attrs="k", self="grad * k")
    x = mygrad.ones(2, requires_grad=True)
    y = record(node, x._data * 2, (x,), k="not a number")
    with pytest.raises(Exception) as info:
        mygrad.autograd.grad(y.sum(), x, create_graph=True)
    text = "".join(traceback.format_exception(info.value))
    assert 'File "<generated CodegenTestBackward1.self>"' in text and "lambda grad, k: (grad * k)" in text


@pytest.mark.parametrize("formulas, message", [
    (dict(self="grad * othr", other="grad * self"), "the formula for 'self' reads 'othr'"),
    (dict(self="grad * dim"), "the formula for 'self' reads 'dim'"),
])
def test_unknown_name_fails_at_declaration(formulas, message):
    with pytest.raises(NameError, match=message) as info:
        derivative("TypoBackward0", **formulas)
    assert "TypoBackward0" in str(info.value)


def test_declared_but_unread_attribute_fails():
    with pytest.raises(NameError, match="declared but read by no formula: \\['dim'\\]"):
        derivative("UnreadBackward0", attrs="dim", self="grad")


def test_multi_output_nodes_are_generated():
    x = mygrad.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    a, _ = x.unbind(0)
    a.sum().backward()  # the other output's gradient is materialized as zeros
    assert x.grad.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    assert "stack(grad, dim)" in inspect.getsource(UnbindBackward0.apply)


def test_command_prints_generated_code():
    out = subprocess.run([sys.executable, "-m", "mygrad.autograd.codegen", "MulBackward0"], capture_output=True,
                         text=True, check=True).stdout
    for kind in ("apply", "release", "attach", "record"):
        assert f"# <generated MulBackward0.{kind}>" in out
    assert "def attach(out, inputs, saved):" in out and "grad * other" in out
    bad = subprocess.run([sys.executable, "-m", "mygrad.autograd.codegen", "NoSuchBackward0"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "NoSuchBackward0" in bad.stderr


def test_sources_are_kept_per_node():
    assert "grad * other" in _source.SOURCES["MulBackward0"]["apply"]


def test_pdb_steps_through_a_generated_apply():
    import io
    import pdb
    x = mygrad.ones(2, requires_grad=True)
    node = (x * x).grad_fn
    out = io.StringIO()
    debugger = pdb.Pdb(stdin=io.StringIO("s\nn\nc\n"), stdout=out)
    debugger.rcLines = []
    debugger.runcall(MulBackward0.apply, node, [np.ones(2)], False)
    shown = out.getvalue()
    assert "<generated MulBackward0.apply>(2)apply()" in shown and "-> other, self, = _node._saved" in shown


@pytest.mark.parametrize("name", ["array_fn", "tensor_fn", "tensor_namespace"])
def test_the_old_helper_declarations_say_what_replaced_them(name):
    with pytest.raises(ImportError, match="replaced by .*formula_helper|replaced by backends.TENSOR"):
        exec(f"from mygrad.autograd.backends import {name}", {})
