"""Reductions and linear algebra, run in torch and in mygrad and compared (see paired.py): the graphs
matmul and einsum build for every rank combination, torch's tie and zero rules, its errors and
warnings, and gradients of gradients.  The conformance records cover the random inputs; these are
the cases that need a particular input or a look below the top node."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from paired import check

RNG = np.random.default_rng(7)


def graph(fn):
    """The whole graph below ``fn``: node names down to the leaves (which input), as nested tuples."""
    if fn is None:
        return None
    if type(fn).__name__ == "AccumulateGrad":
        return "AccumulateGrad"
    return type(fn).__name__, tuple((graph(f), n) for f, n in fn.next_functions)


def leaf(t, array, requires_grad=True):
    x = t.tensor(array)
    return x.requires_grad_() if requires_grad else x


def see_op(t, see, label, fn, arrays, flags=None, upstream_seed=0):
    """Forward (value, dtype, node, whole graph), then gradients with a random upstream gradient and,
    through create_graph, the gradients of sum(grad * v)."""
    flags = flags or [True] * len(arrays)
    xs = [leaf(t, a, f) for a, f in zip(arrays, flags)]
    out = see.call(label, lambda: fn(t, *xs))
    if out is None:
        return
    see(label + " graph", graph(out.grad_fn))
    if not out.requires_grad:
        return
    rng = np.random.default_rng(upstream_seed)
    wrt = [x for x in xs if x.requires_grad]
    upstream = t.tensor(rng.standard_normal(out.shape).astype(out.detach().numpy().dtype))
    grads = t.autograd.grad(out, wrt, upstream, create_graph=True, allow_unused=True)
    see(label + " grads", [None if g is None else (g.detach(), g.requires_grad) for g in grads])  # not their nodes
    pairs = [(g, t.tensor(rng.standard_normal(g.shape).astype(g.detach().numpy().dtype)))
             for g in grads if g is not None and g.requires_grad]
    if pairs:
        total = sum((g * v).sum() for g, v in pairs)
        see(label + " second order", [g if g is None else (g + 0).detach() for g in
                                      t.autograd.grad(total, wrt, allow_unused=True)])


def random(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# ----- matmul: every rank combination, every grad pattern ------------------------------------------

def _operand(rank: int, last: bool) -> tuple:
    if rank == 1:
        return (4,)
    return (2,) * (rank - 2) + ((4, 5) if last else (3, 4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("ranks", list(itertools.product([1, 2, 3, 4], repeat=2)), ids=lambda r: f"{r[0]}d@{r[1]}d")
def test_matmul_rank_combinations(ranks, dtype):
    a, b = random(*_operand(ranks[0], False), dtype=dtype), random(*_operand(ranks[1], True), dtype=dtype)

    def scenario(t, see):
        for flags in ([True, True], [True, False], [False, True]):
            see_op(t, see, f"matmul {flags}", lambda t, x, y: x @ y, [a, b], flags)
            see_op(t, see, f"torch.matmul {flags}", lambda t, x, y: t.matmul(x, y), [a, b], flags)
    check(scenario)


MATMUL_LAYOUTS = {
    "non-contiguous 3d @ 1d": (lambda t, x, y: x.mT @ y, (2, 4, 3), (4,)),
    "non-contiguous 3d @ 2d": (lambda t, x, y: x.mT @ y, (2, 4, 3), (4, 5)),
    "2d @ non-contiguous 3d": (lambda t, x, y: x @ y.mT, (3, 4), (2, 5, 4)),
    "1d @ non-contiguous 3d": (lambda t, x, y: x @ y.mT, (4,), (2, 5, 4)),
    "batch of one @ 3d": (lambda t, x, y: x @ y, (1, 3, 4), (2, 4, 5)),
    "3d @ batch of one": (lambda t, x, y: x @ y, (2, 3, 4), (1, 4, 5)),
    "broadcast 4d @ 3d": (lambda t, x, y: x @ y, (2, 1, 3, 4), (2, 4, 5)),
    "broadcast 4d @ 4d": (lambda t, x, y: x @ y, (2, 1, 3, 4), (1, 3, 4, 5)),
    "5d @ 1d": (lambda t, x, y: x @ y, (2, 1, 2, 3, 4), (4,)),
    "empty batch 3d @ 2d": (lambda t, x, y: x @ y, (0, 3, 4), (4, 5)),
    "empty inner 3d @ 2d": (lambda t, x, y: x @ y, (2, 3, 0), (0, 5)),
    "transposed 2d @ transposed 2d": (lambda t, x, y: x.t() @ y.t(), (4, 3), (5, 4)),
    "rmatmul": (lambda t, x, y: x.__rmatmul__(y), (4, 5), (3, 4)),
}


@pytest.mark.parametrize("case", list(MATMUL_LAYOUTS))
def test_matmul_layouts(case):
    fn, sa, sb = MATMUL_LAYOUTS[case]
    a, b = random(*sa), random(*sb)

    def scenario(t, see):
        for flags in ([True, True], [True, False], [False, True]):
            see_op(t, see, f"{case} {flags}", fn, [a, b], flags)
    check(scenario)


def test_matmul_1d_at_2d_is_an_inplace_squeeze():
    """torch squeezes mm's result in place: SqueezeBackward4, and the output is at version 1."""
    v, c = random(4), random(4, 5)

    def scenario(t, see):
        out = leaf(t, v) @ leaf(t, c)
        see("version", out._version)
        see("contiguous", out.is_contiguous())
        see("transposed fold is contiguous", (leaf(t, random(3, 4)) @ leaf(t, random(2, 4, 5))).is_contiguous())
    check(scenario)


# ----- the other products ----------------------------------------------------------------------

PRODUCTS = {
    "mm": (lambda t, x, y: t.mm(x, y), [(3, 4), (4, 5)]),
    "mm method": (lambda t, x, y: x.mm(y), [(3, 4), (4, 5)]),
    "bmm": (lambda t, x, y: t.bmm(x, y), [(2, 3, 4), (2, 4, 5)]),
    "dot": (lambda t, x, y: t.dot(x, y), [(4,), (4,)]),
    "mv": (lambda t, x, y: x.mv(y), [(3, 4), (4,)]),
    "outer": (lambda t, x, y: t.outer(x, y), [(3,), (4,)]),
    "ger": (lambda t, x, y: t.ger(x, y), [(3,), (4,)]),
    "addmm": (lambda t, b, x, y: t.addmm(b, x, y), [(5,), (3, 4), (4, 5)]),
    "addmm scaled": (lambda t, b, x, y: b.addmm(x, y, beta=0.5, alpha=-2), [(3, 5), (3, 4), (4, 5)]),
    "addmm beta 0": (lambda t, b, x, y: t.addmm(b, x, y, beta=0), [(3, 1), (3, 4), (4, 5)]),
    "trace": (lambda t, x: t.trace(x), [(3, 4)]),
    "tril": (lambda t, x: x.tril(1), [(2, 3, 4)]),
    "triu": (lambda t, x: t.triu(x, -1), [(3, 4)]),
    "diag of a vector": (lambda t, x: t.diag(x, -1), [(4,)]),
    "diag of a matrix": (lambda t, x: x.diag(1), [(3, 4)]),
    "diag out of the matrix": (lambda t, x: t.diag(x, 5), [(3, 4)]),
}


@pytest.mark.parametrize("case", list(PRODUCTS))
def test_products(case):
    fn, shapes = PRODUCTS[case]
    arrays = [random(*s) for s in shapes]

    def scenario(t, see):
        see_op(t, see, case, fn, arrays)
        for i in range(len(arrays)):
            see_op(t, see, f"{case} without input {i}", fn, arrays, [j != i for j in range(len(arrays))])
    check(scenario)


EINSUM = ["ij,jk->ik", "ij,jk", "bij,bjk->bik", "i,i->", "i,j->ij", "ij->ji", "ii->i", "ii", "ij->", "ij->i",
          "bi,bi->b", "ij,ij->ij", "ij,j->i", "...ij,...jk->...ik", "bij,jk->bik", "ij,kj->ik", "iij->j",
          "ij,jk,kl->il", "b...,b...->b", "Ab,bc->Ac", "ijk,ikl->jl"]
EINSUM_SHAPES = {"i": 4, "j": 4, "k": 5, "l": 2, "b": 2, "A": 3, "c": 2}


def _einsum_operands(equation: str) -> list:
    lhs = equation.split("->")[0]
    ops = []
    for term in lhs.split(","):
        shape = [2, 3] if "..." in term else []
        ops.append(random(*(shape + [EINSUM_SHAPES[c] for c in term.replace("...", "")])))
    return ops


@pytest.mark.parametrize("equation", EINSUM)
def test_einsum(equation):
    arrays = _einsum_operands(equation)

    def scenario(t, see):
        see_op(t, see, equation, lambda t, *xs: t.einsum(equation, *xs), arrays)
        see_op(t, see, equation + " as a list", lambda t, *xs: t.einsum(equation, list(xs)), arrays)
    check(scenario)


# ----- reductions at ties, zeros and kinks (torch's subgradient conventions) ---------------------

TIES = np.array([[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]])
REDUCTION_POINTS = {
    "max ties split evenly": (lambda t, x: x.max(), TIES),
    "min ties split evenly": (lambda t, x: t.min(x), np.array([[1.0, 5.0, 1.0], [2.0, 1.0, 1.0]])),
    "max with NaN": (lambda t, x: x.max(), np.array([np.nan, 1.0])),
    "max(dim) first index takes all": (lambda t, x: x.max(1).values, TIES),
    "min(dim) keepdim": (lambda t, x: t.min(x, 0, keepdim=True)[0], TIES),
    "max(dim) of 0-d": (lambda t, x: x.max(0).values, np.array(3.0)),
    "amax ties within slices": (lambda t, x: x.amax(1), TIES),
    "amax over dims": (lambda t, x: x.amax((0, 1)), np.array([[5.0, 5.0], [5.0, 1.0]])),
    "amax with NaN": (lambda t, x: x.amax(), np.array([np.nan, 1.0])),
    "amin keepdim": (lambda t, x: x.amin(0, keepdim=True), TIES),
    "prod one zero": (lambda t, x: x.prod(), np.array([0.0, 2.0, 3.0])),
    "prod two zeros": (lambda t, x: x.prod(), np.array([0.0, 0.0, 3.0])),
    "prod(dim) with a zero": (lambda t, x: x.prod(1), np.array([[0.0, 2.0], [3.0, 4.0]])),
    "prod(dim) zeros keepdim": (lambda t, x: x.prod(0, keepdim=True), np.array([[0.0, 2.0, 0.0], [0.0, 4.0, 5.0]])),
    "cumprod with zeros": (lambda t, x: x.cumprod(1), np.array([[1.0, 0.0, 2.0, 3.0, 0.0, 4.0],
                                                                 [2.0, 3.0, 0.0, 0.0, 1.0, 2.0]])),
    "cumprod zero first": (lambda t, x: x.cumprod(0), np.array([0.0, 2.0, 3.0])),
    "cumsum": (lambda t, x: t.cumsum(x, dim=-1), random(3, 4)),
    "norm at 0": (lambda t, x: x.norm(), np.zeros(3)),
    "norm(dim) at 0": (lambda t, x: x.norm(dim=1), np.array([[0.0, 0.0], [3.0, 4.0]])),
    "norm p=1 at 0": (lambda t, x: x.norm(p=1), np.array([0.0, -2.0, 1.0])),
    "norm p=inf ties": (lambda t, x: x.norm(p=float("inf")), np.array([1.0, -3.0, 3.0])),
    "norm p=3": (lambda t, x: t.norm(x, 3, 0, True), random(3, 4)),
    "vector_norm p=0.5": (lambda t, x: t.linalg.vector_norm(x, 0.5, dim=(0, 1)), random(3, 4)),
    "vector_norm p=0": (lambda t, x: t.linalg.vector_norm(x, 0), np.array([1.0, 0.0, 2.0])),
    "linalg.norm matrix 1": (lambda t, x: t.linalg.norm(x, 1), random(3, 4)),
    "linalg.norm matrix -inf": (lambda t, x: t.linalg.norm(x, float("-inf")), random(3, 4)),
    "matrix_norm fro batched": (lambda t, x: t.linalg.matrix_norm(x, keepdim=True), random(2, 3, 4)),
    "std of a constant": (lambda t, x: x.std(), np.array([2.0, 2.0, 2.0])),
    "var correction": (lambda t, x: x.var(1, correction=2, keepdim=True), random(3, 4)),
    "var unbiased positional": (lambda t, x: x.var(0, False), random(3, 4)),
    "var dim=() (torch divides by 1 - correction)": (lambda t, x: x.var(()), random(2, 3)),
    "logsumexp": (lambda t, x: x.logsumexp((0, 1), keepdim=True), random(3, 4)),
    "logsumexp of inf": (lambda t, x: t.logsumexp(x, 0), np.array([np.inf, 1.0])),
    "logsumexp of -inf": (lambda t, x: t.logsumexp(x, 0), np.array([-np.inf, -np.inf])),
    "sum dtype": (lambda t, x: t.sum(x.float(), dtype=t.float64), random(3, 4)),
    "mean dim dtype": (lambda t, x: x.float().mean(0, dtype=t.float64), random(3, 4)),
    "sum of empty": (lambda t, x: x.sum(), np.zeros((0, 3))),
    "mean of empty": (lambda t, x: x.mean(), np.zeros((0, 3))),
    "mean(dim) of empty": (lambda t, x: x.mean(0), np.zeros((0, 3))),
}


@pytest.mark.parametrize("case", list(REDUCTION_POINTS))
def test_reduction_points(case):
    fn, array = REDUCTION_POINTS[case]

    def scenario(t, see):
        see_op(t, see, case, fn, [array])
        see_op(t, see, case + " float32", lambda t, x: fn(t, x), [array.astype(np.float32)])
    check(scenario)


def test_single_element_var_and_std_warn_and_give_nan():
    def scenario(t, see):
        for name in ("var", "std"):
            x = t.tensor([2.0], requires_grad=True)
            out = see.call(name, lambda: getattr(x, name)())
            out.backward()
            see(name + " grad", x.grad)
    check(scenario)


def test_return_types():
    def scenario(t, see):
        x = t.tensor([[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]], requires_grad=True)
        for name in ("max", "min"):
            result = getattr(t, name)(x, 1)
            see(name + " repr", repr(result))
            see(name + " fields", (result.values, result.indices, result[0], result[1], len(result)))
            values, indices = result
            see(name + " unpacked", (values, indices))
        see("argmax", (x.argmax(), x.argmax(1), x.argmax(1, keepdim=True), x.argmax(keepdim=True)))
        see("argmin", (t.argmin(x, 0), t.argmin(x)))
        see("binary max", t.max(x, x.detach() * 0 + 3))
        see("binary min method", x.min(x.detach() * 0 + 3))
    check(scenario)


def test_integer_and_bool_inputs():
    def scenario(t, see):
        i = t.tensor([[1, 2], [3, 4]])
        b = t.tensor([[True, False], [True, True]])
        see("sum int", (i.sum(), i.sum(0), i.int().sum(), b.sum(1)))
        see("prod int", (i.prod(), i.prod(1), b.prod()))
        see("cumsum int", (i.cumsum(0), i.int().cumsum(1), b.cumsum(0)))
        see("cumprod int", i.cumprod(1))
        see("max int", (i.max(), i.max(0), b.max(), i.amax(1)))
        see("logsumexp int", (i.logsumexp(0), b.logsumexp(1)))
        see("mm int", (t.mm(i, i), i @ i, t.mm(i.int(), i.int())))
        see("trace int", (t.trace(i), i.tril(), t.diag(i)))
        see.call("mean int", lambda: i.mean())
        see.call("mean int dtype", lambda: i.mean(dtype=t.float64))
        see.call("mean dtype int", lambda: t.tensor([1.0]).mean(dtype=t.int64))
        see.call("var int", lambda: i.var())
        see.call("norm int", lambda: i.norm())
        see.call("sum float dtype int with grad", lambda: t.ones(2, requires_grad=True).sum(dtype=t.int64))
    check(scenario)


# ----- errors, as torch raises them --------------------------------------------------------------

ERRORS = {
    "mm inner mismatch": lambda t: t.ones(2, 3).mm(t.ones(2, 3)),
    "mm vector": lambda t: t.mm(t.ones(2, 3), t.ones(3)),
    "mm self vector": lambda t: t.mm(t.ones(3), t.ones(3, 2)),
    "mm dtypes": lambda t: t.ones(2, 3).mm(t.ones(3, 2, dtype=t.float64)),
    "mm long and float": lambda t: t.mm(t.ones(2, 2, dtype=t.int64), t.ones(2, 2)),
    "matmul 0-d": lambda t: t.matmul(t.tensor(1.0), t.ones(3, 3)),
    "matmul 2d @ 2d mismatch": lambda t: t.ones(2, 3) @ t.ones(2, 4),
    "matmul 2d @ 1d mismatch": lambda t: t.ones(2, 3) @ t.ones(4),
    "matmul 1d @ 1d mismatch": lambda t: t.ones(4) @ t.ones(3),
    "matmul 1d @ 2d mismatch": lambda t: t.ones(3) @ t.ones(4, 5),
    "matmul batch mismatch": lambda t: t.ones(2, 2, 3) @ t.ones(3, 2, 4),
    "matmul 3d @ 3d inner": lambda t: t.ones(2, 3, 4) @ t.ones(2, 3, 4),
    "matmul 3d @ 2d inner": lambda t: t.ones(2, 3, 4) @ t.ones(3, 4),
    "matmul 2d @ 3d inner": lambda t: t.ones(4, 5) @ t.ones(2, 4, 5),
    "matmul 3d @ 1d inner": lambda t: t.ones(2, 3, 4) @ t.ones(3),
    "matmul dtypes 3d": lambda t: t.ones(2, 3, 4) @ t.ones(2, 4, 5, dtype=t.float64),
    "matmul dtypes 1d": lambda t: t.ones(3) @ t.ones(3, dtype=t.float64),
    "matmul dtypes 2d @ 1d": lambda t: t.ones(2, 3) @ t.ones(3, dtype=t.float64),
    "matmul bool": lambda t: t.ones(2, 2, dtype=t.bool) @ t.ones(2, 2, dtype=t.bool),
    # (found by the randomized programs: a bool vector @ a bool vector gave a bool where torch has no kernel)
    "matmul bool 1d @ 1d": lambda t: t.ones(3, dtype=t.bool) @ t.ones(3, dtype=t.bool),
    "matmul bool 2d @ 1d": lambda t: t.ones(2, 3, dtype=t.bool) @ t.ones(3, dtype=t.bool),
    "matmul bool 3d @ 3d": lambda t: t.ones(2, 2, 3, dtype=t.bool) @ t.ones(2, 3, 2, dtype=t.bool),
    "dot bool": lambda t: t.dot(t.ones(3, dtype=t.bool), t.ones(3, dtype=t.bool)),
    "mv bool": lambda t: t.mv(t.ones(2, 3, dtype=t.bool), t.ones(3, dtype=t.bool)),
    "bmm bool": lambda t: t.bmm(t.ones(2, 2, 3, dtype=t.bool), t.ones(2, 3, 2, dtype=t.bool)),
    "bmm 2d": lambda t: t.bmm(t.ones(3, 4), t.ones(4, 5)),
    "bmm batches": lambda t: t.bmm(t.ones(2, 2, 3), t.ones(2, 4, 2)),
    "bmm dtypes": lambda t: t.bmm(t.ones(2, 3, 4, dtype=t.float64), t.ones(2, 4, 5)),
    "dot 2d": lambda t: t.dot(t.ones(2, 3), t.ones(3)),
    "dot sizes": lambda t: t.dot(t.ones(3), t.ones(4)),
    "dot dtypes": lambda t: t.dot(t.ones(3), t.ones(3, dtype=t.float64)),
    "mv sizes": lambda t: t.mv(t.ones(3, 4), t.ones(3)),
    "mv 3d": lambda t: t.mv(t.ones(2, 3, 4), t.ones(4)),
    "mv dtypes": lambda t: t.mv(t.ones(3, 4, dtype=t.float64), t.ones(4)),
    "addmm input shape": lambda t: t.addmm(t.ones(4), t.ones(3, 4), t.ones(4, 5)),
    "addmm input dtype": lambda t: t.addmm(t.ones(5, dtype=t.float64), t.ones(3, 4), t.ones(4, 5)),
    "addmm mat1 dtype": lambda t: t.addmm(t.ones(5), t.ones(3, 4, dtype=t.float64), t.ones(4, 5)),
    "addmm vector": lambda t: t.addmm(t.ones(5), t.ones(4), t.ones(4, 5)),
    "outer 2d": lambda t: t.outer(t.ones(2, 3), t.ones(3)),
    "trace 3d": lambda t: t.trace(t.ones(2, 2, 2)),
    "tril vector": lambda t: t.ones(3).tril(),
    "diag 3d": lambda t: t.diag(t.ones(2, 2, 2)),
    "einsum sizes": lambda t: t.einsum("ij,jk->ik", t.ones(3, 4), t.ones(3, 4)),
    "einsum unknown output": lambda t: t.einsum("ij->ik", t.ones(3, 4)),
    "einsum operand count": lambda t: t.einsum("ij,jk->ik", t.ones(3, 4)),
    "einsum subscripts": lambda t: t.einsum("ijk->i", t.ones(3, 4)),
    "max of empty": lambda t: t.zeros(0, 3).max(),
    "max(dim) of empty dim": lambda t: t.zeros(0, 3).max(0),
    "amax of empty dims": lambda t: t.zeros(2, 0, 3).amax((0, 1)),
    "argmax of empty": lambda t: t.zeros(0, 3).argmax(),
    "argmin(dim) of empty dim": lambda t: t.zeros(2, 0).argmin(1),
    "argmax tuple": lambda t: t.ones(2, 3).argmax((0, 1)),
    "sum repeated dim": lambda t: t.ones(2, 3).sum((0, -2)),
    "sum dim out of range": lambda t: t.ones(2, 3).sum(2),
    "cumsum dim out of range": lambda t: t.ones(2, 3).cumsum(-3),
    "logsumexp dim ()": lambda t: t.ones(2, 3).logsumexp(()),
    "inf norm of empty": lambda t: t.zeros(0, 3).norm(p=float("inf")),
    "inf norm of an empty dim": lambda t: t.zeros(2, 0, 3).norm(p=float("inf"), dim=1),
    "vector_norm narrowing dtype": lambda t: t.linalg.vector_norm(t.ones(3, dtype=t.float64), dtype=t.float32),
    "linalg.norm 3d with ord": lambda t: t.linalg.norm(t.ones(2, 3, 4), 2),
    "linalg.norm three dims": lambda t: t.linalg.norm(t.ones(2, 3, 4), dim=(0, 1, 2)),
    "linalg.norm fro of one dim": lambda t: t.linalg.norm(t.ones(3, 4), "fro", dim=0),
    "matrix_norm of a vector": lambda t: t.linalg.matrix_norm(t.ones(3)),
}


def test_errors():
    def scenario(t, see):
        for label, thunk in ERRORS.items():
            see.call(label, lambda: thunk(t))
    check(scenario)


OVERLOAD_ERRORS = {
    "max(dim) tuple": lambda t: t.ones(2, 3).max((0, 1)),
    "min(dim) empty tuple": lambda t: t.ones(2, 3).min(()),
    "prod tuple": lambda t: t.ones(2, 3).prod((0, 1)),
}


def test_overload_errors():
    """A tuple where torch's overloads want an int: TypeError, and the first line of torch's message
    (the rest lists the overloads, worded per call form)."""
    def scenario(t, see):
        for label, thunk in OVERLOAD_ERRORS.items():
            try:
                thunk(t)
            except TypeError as exc:
                see(label, str(exc).splitlines()[0])
    check(scenario)


def test_addbmm_inplace_resizes_and_reads_layout():
    """addbmm_ writes through torch's out= kernel: self (0-d, 1-d, a column) is resized to the product's shape
    (a column reads its own overwritten elements), a 0-d self of one element with beta != 0 overlaps; a
    column-major self changes the gemm's order (inf/NaN through a tiny alpha-scaled element), and gradients
    reach the original shape."""
    inf = float("inf")

    def scenario(t, see):
        for shape in [(), (1,), (3,), (1, 3), (2, 1), (4, 1), (2, 3), (3, 3)]:
            for beta in (0, 1, 0.5):
                for m, n in [(1, 1), (2, 3), (4, 3)]:
                    label = f"{shape} into ({m}, {n}) beta={beta}"
                    base = t.arange(1.0, 1 + int(np.prod(shape))).reshape(shape).requires_grad_()
                    target = base.clone()
                    b1 = t.ones(2, m, 4, requires_grad=True)
                    out = see.call(label, lambda: target.addbmm_(b1, t.ones(2, 4, n), beta=beta, alpha=1))
                    see(label + " target", target.detach())
                    if out is not None:
                        out.sum().backward()
                        see(label + " grads", (base.grad, b1.grad))
        x = t.tensor([[0.0, 0.0], [-inf, 0.0], [-4.0, 0.0], [1.1754944e-38, 0.0]])   # x.t(): a column-major (2, 4)
        b1 = t.tensor([[[0.0, 0.0, 4.896054e-06, 0.0], [0.0, -0.0, 1.1754944e-38, -1e-45]]], requires_grad=True)
        b2 = t.tensor([[[-0.0, 1.7626725, -inf, 2.7618585], [1.7626725, -1.1754944e-38, 0.0, 0.0],
                        [0.33333334, 0.0, -0.0, inf], [0.0, inf, -2.3674376, -1e-45]]])
        see("column-major target", x.t().clone().addbmm_(b1, b2, alpha=-0.5, beta=0).detach())
        see("row-major target", x.t().contiguous().addbmm_(b1, b2, alpha=-0.5, beta=0).detach())
    check(scenario)


def test_addr_fuses_beta_times_input():
    """torch's addr kernel is one fused multiply-add: beta * input is not rounded (to inf) on its own."""
    def scenario(t, see):
        for dtype in (t.float32, t.float64):
            big = t.finfo(dtype).max
            see(f"{dtype} overflow alone", t.addr(t.full((1, 3), big, dtype=dtype), t.ones(1, dtype=dtype),
                                                   t.full((3,), -big / 2, dtype=dtype), beta=1.5))
            see(f"{dtype} against -inf", t.addr(t.full((1, 2), big, dtype=dtype), t.tensor([-big], dtype=dtype),
                                                 t.full((2,), 3.0, dtype=dtype), beta=1.5, alpha=2))
            see(f"{dtype} promoted", t.addr(t.full((1, 2), 3), t.tensor([big], dtype=dtype),
                                            t.full((2,), 1.5, dtype=dtype), beta=-1))
    check(scenario)
