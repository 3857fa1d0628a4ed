"""The report: an op-by-check matrix with example counts, and every mismatch as a standalone snippet.

``snippet`` writes a failing example as a Python program that runs in both libraries (``import
torch``, or ``import mygrad as torch``), with every input written out.  ``Report`` merges case
results (from any number of pytest-xdist workers) into the matrix, and renders it for the
terminal, as Markdown and as JSON.
"""
from __future__ import annotations

import ast
import builtins
import inspect
import json
import platform
import sys
import textwrap
from dataclasses import dataclass, field

import numpy as np

from .checks import CHECKS, DESCRIPTIONS, render_graph
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
    source = call_source(record.call)
    if source is None:
        setup = ["from conformance.registry import all_records",
                 f"call = {{r.row: r for r in all_records()}}[{record.row!r}].call"]
    else:
        setup = source.splitlines()
    return setup, f"call(torch, {', '.join(args + kwargs)})"


def _outcome(obs: Observation, stage: str) -> str:
    raised = obs.errors.get(stage)
    return f"raises {raised}" if raised else "no error"


def snippet(case, example: Example, check: str, t: Observation, m: Observation) -> str:
    """A standalone program showing ``check``'s mismatch on ``example``, runnable with either library."""
    arrays = tensor_args(example)
    names_list = leaf_names(example)
    names = {id(a): n for a, n in zip(arrays, names_list)}
    setup, expression = call_expression(case, example, names)
    lines = [f"# {case.record.row} [{case.form}, {case.dtype}]: check '{check}' ({DESCRIPTIONS[check]})",
             "# Runs as is with torch; change the import to `import mygrad as torch` to run it with mygrad.",
             "import torch", ""]
    for a, n in zip(arrays, names_list):
        rg = bool(a.requires_grad) and np.asarray(a.array).dtype.kind == "f"
        lines.append(f"{n} = {tensor_literal(a.array, rg)}")
    lines += setup
    sequence = t.structure is not None and t.structure[0] == "sequence"
    if check == "no_grad":
        lines += ["with torch.no_grad():", f"    out = {expression}  # torch: {_outcome(t, 'no_grad')}; "
                  f"mygrad: {_outcome(m, 'no_grad')}"]
        outs = "list(out)" if sequence else "[out]"
        lines += [f"for o in {outs}:", "    print(o.requires_grad, o.is_leaf, o.grad_fn)"]
        return "\n".join(lines) + "\n"
    lines.append(f"out = {expression}  # torch: {_outcome(t, 'forward')}; mygrad: {_outcome(m, 'forward')}")
    if "forward" in t.errors or "forward" in m.errors:
        return "\n".join(lines) + "\n"
    lines.append(f"outputs = {'list(out)' if sequence else '[out]'}")
    if check in ("shape", "dtype", "value", "errors"):
        lines.append("for o in outputs:\n    print(o.shape, o.dtype, o) if torch.is_tensor(o) else print(o)")
        if case.form == "inplace":
            lines.append("print(out is target)")
    if check in ("grad_fn", "graph", "flags"):
        lines.append("for o in outputs:\n    print(o.requires_grad, o.is_leaf, o.grad_fn, "
                     "o.grad_fn.next_functions if o.grad_fn is not None else None)")
        if check == "graph":
            for i, o in enumerate(t.outputs):
                if getattr(o, "graph", None) is not None:
                    lines.append(f"# torch's graph below output {i}: {render_graph(o.graph)}")
    if check in ("grad", "errors", "mutation", "aliasing") and t.upstream:
        ups = ", ".join(f"outputs[{i}]" for i, _ in t.upstream)
        grads = ", ".join(tensor_literal(g) for _, g in t.upstream)
        lines.append(f"upstream = [{grads}]")
        lines.append(f"torch.autograd.backward([{ups}], upstream)  # torch: {_outcome(t, 'backward')}; "
                     f"mygrad: {_outcome(m, 'backward')}")
        leaves = ", ".join(names_list)
        if check == "grad":
            lines.append(f"for x in [{leaves}]:\n    print(x.grad)")
        if check == "mutation":
            lines.append(f"print([{leaves}])\nprint(upstream)")
        if check == "aliasing":
            lines.append(f"buffers = {{'upstream': [u.data_ptr() for u in upstream], "
                         f"'grads': [x.grad.data_ptr() if x.grad is not None else None for x in [{leaves}]], "
                         f"'inputs': [x.data_ptr() for x in [{leaves}]], "
                         f"'outputs': [o.data_ptr() for o in outputs if torch.is_tensor(o)]}}\nprint(buffers)")
    elif check == "mutation":
        lines.append(f"print([{', '.join(names_list)}])")
    elif check == "aliasing":
        lines.append(f"print([x.data_ptr() for x in [{', '.join(names_list)}]], "
                     "[o.data_ptr() for o in outputs if torch.is_tensor(o)])")
    if check == "double" and t.upstream and t.first is not None:
        wrt = ", ".join(n for a, n in zip(arrays, names_list)
                        if a.requires_grad and np.asarray(a.array).dtype.kind == "f")
        ups = ", ".join(f"outputs[{i}]" for i, _ in t.upstream)
        grads = ", ".join(tensor_literal(g) for _, g in t.upstream)
        weights = ", ".join("None" if w is None else tensor_literal(w) for w in t.weights or [])
        lines += [f"wrt = [{wrt}]",
                  f"first = torch.autograd.grad([{ups}], wrt, [{grads}], create_graph=True, allow_unused=True)",
                  "print([(g, g.requires_grad) if g is not None else None for g in first])",
                  f"v = [{weights}]",
                  "terms = [(g * w).sum() for g, w in zip(first, v) if w is not None]",
                  "if terms:",
                  f"    second = torch.autograd.grad(sum(terms[1:], terms[0]), wrt, allow_unused=True)"
                  f"  # torch: {_outcome(t, 'double')}; mygrad: {_outcome(m, 'double')}",
                  "    print(second)"]
    return "\n".join(lines) + "\n"


# ----- merging and rendering --------------------------------------------------------------------


def versions() -> dict:
    import hypothesis
    import torch
    try:
        import mygrad
        mygrad_version = getattr(mygrad, "__version__", "?")
    except Exception as exc:  # the report must still be written when mygrad does not import
        mygrad_version = f"does not import ({type(exc).__name__}: {exc})"
    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "hypothesis": hypothesis.__version__, "mygrad": mygrad_version, "platform": platform.platform()}


@dataclass
class Report:
    """All case results of one run, and the options that produced them."""
    results: list                   # CaseResult.to_json() dicts
    rows: list                      # row names in registry order (the matrix's order)
    options: dict = field(default_factory=dict)
    seconds: float = 0.0
    versions: dict = field(default_factory=versions)
    problems: list = field(default_factory=list)   # run-level trouble: missing results, pytest errors

    # --- the matrix -------------------------------------------------------------------------
    def matrix(self) -> dict:
        """row -> check -> {"passed": n, "failed": n} (examples, summed over forms and dtypes)."""
        table = {row: {c: {"passed": 0, "failed": 0} for c in CHECKS} for row in self.rows}
        for r in self.results:
            cells = table.setdefault(r["row"], {c: {"passed": 0, "failed": 0} for c in CHECKS})
            for check, (passed, failed) in r["counts"].items():
                cell = cells.setdefault(check, {"passed": 0, "failed": 0})
                cell["passed"] += passed
                cell["failed"] += failed
        return table

    def crashed_rows(self) -> set:
        return {r["row"] for r in self.results if r["crash"]}

    @property
    def failed_cases(self) -> list:
        return [r for r in self.results if r["failures"] or r["crash"]]

    @property
    def ok(self) -> bool:
        return not self.failed_cases and not self.problems and bool(self.results)

    @staticmethod
    def cell(counts: dict) -> str:
        passed, failed = counts["passed"], counts["failed"]
        if failed:
            return f"FAIL {failed}/{passed + failed}"
        return str(passed) if passed else "-"

    # --- renderings -------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"ok": self.ok, "versions": self.versions, "options": self.options, "seconds": self.seconds,
                "checks": {c: DESCRIPTIONS[c] for c in CHECKS}, "matrix": self.matrix(),
                "cases": self.results, "problems": self.problems,
                "summary": {"cases": len(self.results), "failed_cases": len(self.failed_cases),
                            "rows": len(self.matrix()),
                            "failed_rows": sorted({r["row"] for r in self.failed_cases})}}

    def terminal(self) -> str:
        table = self.matrix()
        crashed = self.crashed_rows()
        header = ["op"] + list(CHECKS)
        body = [[row + (" (crashed)" if row in crashed else "")] +
                [self.cell(cells[c]) for c in CHECKS] for row, cells in table.items()]
        widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
        lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
        lines += [fmt.format(*r) for r in body]
        lines.append("")
        lines.append("cells: examples that passed the check; FAIL k/n: k of n examples failed; -: not applicable")
        lines += [stats_line(r) for r in self.results if r.get("stats")]  # the behaviour suite's program mix
        for r in self.failed_cases:
            for f in r["failures"]:
                lines.append(f"FAIL {r['row']} [{r['form']}, {r['dtype']}] {f['check']}: {_clip(f['diff'])}")
            if r["crash"]:
                lines.append(f"CRASH {r['row']} [{r['form']}, {r['dtype']}]: {r['crash'].strip().splitlines()[-1]}")
        for p in self.problems:
            lines.append(f"PROBLEM {p}")
        return "\n".join(lines)

    def markdown(self) -> str:
        v = self.versions
        table = self.matrix()
        crashed = self.crashed_rows()
        out = ["# mygrad conformance report", "",
               f"**{'PASS' if self.ok else 'FAIL'}**: {len(self.results) - len(self.failed_cases)} of "
               f"{len(self.results)} cases (op x call form x dtype) passed every check, in {self.seconds:.1f} s.", "",
               f"torch {v['torch']}, numpy {v['numpy']}, hypothesis {v['hypothesis']}, python {v['python']}, "
               f"mygrad {v['mygrad']} ({v['platform']}).", "",
               "Options: " + ", ".join(f"{k}={val}" for k, val in self.options.items()), "",
               "## Matrix", "",
               "Each cell counts the examples on which the check ran, over all call forms and dtypes of the row: "
               "a number means all passed, **FAIL k/n** means k of n failed, - means the check did not apply.", "",
               "| op | " + " | ".join(CHECKS) + " |", "|---|" + "---|" * len(CHECKS)]
        for row, cells in table.items():
            name = f"{row} (crashed)" if row in crashed else row
            out.append(f"| {name} | " + " | ".join(_md_cell(self.cell(cells[c])) for c in CHECKS) + " |")
        out += [""] + [stats_line(r) for r in self.results if r.get("stats")]
        out += ["", "## Checks", ""] + [f"- **{c}**: {DESCRIPTIONS[c]}" for c in CHECKS]
        if self.problems:
            out += ["", "## Problems with the run", ""] + [f"- {p}" for p in self.problems]
        if self.failed_cases:
            out += ["", "## Mismatches", ""]
            for r in self.failed_cases:
                if r["crash"]:
                    out += [f"### {r['row']} [{r['form']}, {r['dtype']}]: could not run", "",
                            "```", r["crash"].strip(), "```", ""]
                for f in r["failures"]:
                    out += [f"### {r['row']} [{r['form']}, {r['dtype']}]: {f['check']}", "",
                            f"{f['failed_examples']} example(s) failed. "
                            f"{'Shrunk' if f['shrunk'] else 'First failing'} example:", "",
                            f"- difference: {f['diff']}", ""]
                    n = f.get("numbers") or {}
                    if "max_abs" in n:
                        out += [f"- max abs error {n['max_abs']:.4g}" +
                                (f", max rel error {n['max_rel']:.4g}" if n.get("max_rel") is not None else "") +
                                f", at index {tuple(n['where'])}: torch {n['torch']!r}, mygrad {n['mygrad']!r}", ""]
                    out += ["```python", f["snippet"].rstrip(), "```", ""]
        return "\n".join(out) + "\n"

    def write(self, directory) -> tuple:
        """``report.json`` and ``report.md`` in ``directory`` (created if needed)."""
        from pathlib import Path
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        json_path, md_path = directory / "report.json", directory / "report.md"
        json_path.write_text(json.dumps(self.to_json(), indent=1, default=_jsonable) + "\n")
        md_path.write_text(self.markdown())
        return json_path, md_path


def stats_line(result: dict) -> str:
    """A case's own measurements (the behaviour suite: its mix of steps that succeeded and raised)."""
    return f"{result['row']} mix: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result["stats"].items())


def _jsonable(v):
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (set, tuple)):
        return list(v)
    return repr(v)


def _md_cell(text: str) -> str:
    return f"**{text}**" if text.startswith("FAIL") else text


def _clip(text: str, width: int = 240) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


def load_results(directory) -> list:
    """Every case result written by the plugin (one JSON object per line, one file per worker)."""
    from pathlib import Path
    found = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                found.append(json.loads(line))
    return found


if __name__ == "__main__":  # pragma: no cover - re-render a report from its JSON
    data = json.loads(open(sys.argv[1]).read())
    print(Report(data["cases"], list(data["matrix"]), data["options"], data["seconds"], data["versions"],
                 data["problems"]).terminal())
