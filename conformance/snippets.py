"""Failing examples as Python source: standalone programs that run with torch or with the library under test.

The literal writers (``tensor_literal``, ``value_literal``), the record's call as source
(``call_expression``), and ``Repro``, the writer each check's part of a snippet is built with
(``checks.Check.snippet``).  ``report.snippet`` puts the parts together.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import textwrap

import numpy as np

from .paired import Observation, leaf_names, operator_name, tensor_args
from .registry import Example, LibAttr, TensorArg

# ----- values as Python source ------------------------------------------------------------------


def float_literal(v: float, np_type=np.float64) -> str:
    """The shortest text that gives back exactly ``v`` at ``np_type`` precision."""
    if np.isnan(v):
        return 'float("nan")'
    if np.isinf(v):
        return 'float("inf")' if v > 0 else '-float("inf")'
    short = str(np_type(v))
    try:
        if np_type(float(short)) == np_type(v):
            return short
    except ValueError:
        pass
    return repr(float(v))


def _nested(array: np.ndarray) -> str:
    if array.ndim == 0:
        v = array.item()
        if array.dtype.kind == "f":
            return float_literal(v, array.dtype.type)
        return repr(v)
    return "[" + ", ".join(_nested(a) for a in array) + "]"


def tensor_literal(array: np.ndarray, requires_grad: bool = False) -> str:
    """``torch.tensor([...], dtype=torch.float32, requires_grad=True)`` (empty tensors via zeros)."""
    array = np.asarray(array)
    dtype = "bool" if array.dtype == np.bool_ else array.dtype.name
    rg = ", requires_grad=True" if requires_grad else ""
    if array.size == 0:
        return f"torch.zeros({', '.join(map(str, array.shape)) or '()'}, dtype=torch.{dtype}{rg})"
    return f"torch.tensor({_nested(array)}, dtype=torch.{dtype}{rg})"


def value_literal(v, names: dict) -> str:
    if isinstance(v, TensorArg):
        return names[id(v)]
    if isinstance(v, LibAttr):
        return f"torch.{v.name}"
    if isinstance(v, list):
        return "[" + ", ".join(value_literal(x, names) for x in v) + "]"
    if isinstance(v, tuple):
        inner = ", ".join(value_literal(x, names) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, float):
        return float_literal(v)
    return repr(v)


# ----- the call ---------------------------------------------------------------------------------

OPERATOR_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "floordiv": "//", "mod": "%",
                    "pow": "**", "matmul": "@", "and_": "&", "or_": "|", "xor": "^", "lshift": "<<",
                    "rshift": ">>", "lt": "<", "le": "<=", "eq": "==", "ne": "!=", "gt": ">", "ge": ">="}
UNARY_SYMBOLS = {"neg": "-", "pos": "+", "invert": "~"}


def call_source(fn) -> str | None:
    """Source lines defining ``call`` as the record's function: a lambda inside the Record(...) or a def,
    with the values it reads from outside written in front (literals, modules).  None when that is
    not possible (the snippet then imports the record instead)."""
    try:
        lines, _ = inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return None
    text = textwrap.dedent("".join(lines))
    if fn.__name__ == "<lambda>":
        body = _lambda_source(fn, text)
        if body is None:
            return None
        definition = [f"call = {body}"]
    else:
        try:
            name = next(n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef))
        except (SyntaxError, StopIteration):
            return None
        definition = text.rstrip().splitlines() + ([] if name == "call" else [f"call = {name}"])
    context = _outside_values(fn, "\n".join(definition))
    return None if context is None else "\n".join(context + definition)


def _lambda_source(fn, text: str) -> str | None:
    """The text of the lambda ``fn`` among the lines that hold it (often a keyword inside a Record(...))."""
    params = list(fn.__code__.co_varnames[:fn.__code__.co_argcount])
    stripped = text.strip()
    candidates = [stripped]
    for cut in range(0, 4):
        core = stripped[:len(stripped) - cut] if cut else stripped
        candidates += [f"f({core})", f"f({core}", f"({core})"]
    for candidate in candidates:
        try:
            tree = ast.parse(candidate)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Lambda) and [a.arg for a in node.args.args] == params:
                return ast.get_source_segment(candidate, node)
    return None


def _outside_values(fn, source: str) -> list[str] | None:
    """``name = value`` / ``import module as name`` lines for the names ``source`` reads from its closure
    or module; None if one of them cannot be written as source."""
    tree = ast.parse(source)
    bound = {a.arg for n in ast.walk(tree) if isinstance(n, (ast.Lambda, ast.FunctionDef))
             for a in n.args.args + n.args.kwonlyargs + [x for x in (n.args.vararg, n.args.kwarg) if x]}
    bound |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)} | {"call"}
    closure = dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__ or ())))
    lines = []
    for name in dict.fromkeys(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)):
        if name in bound or (name not in closure and name not in fn.__globals__ and hasattr(builtins, name)):
            continue
        if name in closure:
            value = closure[name]
        elif name in fn.__globals__:
            value = fn.__globals__[name]
        else:
            return None
        if inspect.ismodule(value):
            lines.append(f"import {value.__name__}" if value.__name__ == name else f"import {value.__name__} as {name}")
        elif _is_literal(value):
            lines.append(f"{name} = {value!r}")
        else:
            return None
    return lines


def _is_literal(value) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return isinstance(value, str) or value is None or isinstance(value, bool) or np.isfinite(value)
    if isinstance(value, (tuple, list)):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return False


def call_expression(case, example: Example, names: dict) -> tuple[list[str], str]:
    """Lines to set up, and the expression that runs the record's call form."""
    record, form = case.record, case.form
    args = [value_literal(a, names) for a in example.args]
    kwargs = [f"{k}={value_literal(v, names)}" for k, v in example.kwargs.items()]
    if form == "function":
        path = ".".join(p for p in ("torch", record.namespace, record.name) if p)
        return [], f"{path}({', '.join(args + kwargs)})"
    if form == "method":
        return [], f"{args[0]}.{record.name}({', '.join(args[1:] + kwargs)})"
    if form in ("operator", "roperator"):
        op = operator_name(record)
        operands = args[::-1] if form == "roperator" else args
        if len(operands) == 2 and op in OPERATOR_SYMBOLS:
            return [], f"{operands[0]} {OPERATOR_SYMBOLS[op]} {operands[1]}"
        if len(operands) == 1 and op in UNARY_SYMBOLS:
            return [], f"{UNARY_SYMBOLS[op]}{operands[0]}"
        return ["import operator"], f"operator.{op}({', '.join(operands)})"
    if form == "inplace":
        return [f"target = {args[0]}.clone()"], f"target.{record.name}_({', '.join(args[1:] + kwargs)})"
    if record.reference is not None:   # Record.custom: torch's function, and the library's own
        setup = [_import_line(record.reference, "reference") or "reference = ...  # torch's function",
                 "# (the library under test runs its own implementation of the op on the same arguments)",
                 "call = lambda lib, *args, **kwargs: reference(*args, **kwargs)"]
        return setup, f"call(torch, {', '.join(args + kwargs)})"
    source = call_source(record.call)
    if source is None:
        imported = _import_line(record.call, "call")
        setup = [imported] if imported else [
            "from conformance.registry import all_records",
            f"call = {{r.row: r for r in all_records()}}[{record.row!r}].call"]
    else:
        setup = source.splitlines()
    return setup, f"call(torch, {', '.join(args + kwargs)})"


def _import_line(fn, alias: str) -> str | None:
    """``from module import name as alias`` for a module-level function (None for lambdas, closures, __main__)."""
    module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if not module or module == "__main__" or "<" in qualname or "." in qualname:
        return None
    return f"from {module} import {qualname} as {alias}" if qualname != alias else f"from {module} import {alias}"


def _outcome(obs: Observation, stage: str) -> str:
    raised = obs.errors.get(stage)
    return f"raises {raised}" if raised else "no error"


class Repro:
    """What a check's snippet part needs: the inputs' names, the call's source, both observations.

    ``forward()`` gives the lines that run the call (``out = ...``, ``outputs = [...]``);
    ``backward()`` the lines that run backward with the drawn upstream gradients.
    """

    def __init__(self, case, example: Example, t: Observation, m: Observation):
        self.case, self.example, self.t, self.m = case, example, t, m
        self.arrays = tensor_args(example)
        self.names = leaf_names(example)
        self.leaves = ", ".join(self.names)
        self.setup, self.expression = call_expression(case, example,
                                                      {id(a): n for a, n in zip(self.arrays, self.names)})
        self.sequence = t.structure is not None and t.structure[0] == "sequence"
        self.forward_raised = "forward" in t.errors or "forward" in m.errors

    def outcome(self, stage: str) -> str:
        return f"torch: {_outcome(self.t, stage)}; {tested_name()}: {_outcome(self.m, stage)}"

    def forward(self) -> list[str]:
        lines = [f"out = {self.expression}  # {self.outcome('forward')}"]
        if not self.forward_raised:
            lines.append(f"outputs = {'list(out)' if self.sequence else '[out]'}")
        return lines

    def upstream(self) -> str:
        return ", ".join(tensor_literal(g) for _, g in self.t.upstream)

    def backward(self) -> list[str]:
        ups = ", ".join(f"outputs[{i}]" for i, _ in self.t.upstream)
        return [f"upstream = [{self.upstream()}]",
                f"torch.autograd.backward([{ups}], upstream)  # {self.outcome('backward')}"]

    def print_outputs(self) -> list[str]:
        lines = ["for o in outputs:\n    print(o.shape, o.dtype, o) if torch.is_tensor(o) else print(o)"]
        if self.case.form == "inplace":
            lines.append("print(out is target)")
        return lines

    def print_nodes(self) -> list[str]:
        return ["for o in outputs:\n    print(o.requires_grad, o.is_leaf, o.grad_fn, "
                "o.grad_fn.next_functions if o.grad_fn is not None else None)"]


def tested_name() -> str:
    from .paired import tested
    return tested()
