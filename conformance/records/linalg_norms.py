"""Records for torch.linalg.matrix_norm over every order: 'fro', 'nuc', ±1, ±2, ±inf, any two dims, keepdim.

The spectral and nuclear norms are torch's composites over svdvals, so their inputs are drawn with separated
singular values in their last two dims (conditioning in the strategy, see linalg_svd.py), and reduce those
dims (in either order): at a repeated or zero singular value the gradient is not unique. The 1- and inf-norms
draw values without ties along the reduced dims' extremes only by chance; their graph is amax/amin of a vector
1-norm, as torch's.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ..registry import Example, Record, TensorArg
from ..strategies import arrays, real
from .linalg_svd import separated

ORDS = ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")]


def norms(dtype: str, form=None):
    def make(a_ord):
        a, ord_ = a_ord
        nd = a.ndim
        if ord_ in ("nuc", 2, -2):  # the drawn singular values are those of the last two dims (either order)
            dims = st.sampled_from([(-2, -1), (-1, -2), (nd - 2, nd - 1), (nd - 1, -2)])
        else:
            dims = st.one_of(st.just((-2, -1)), st.permutations(list(range(nd))).map(
                lambda p: (p[0] - nd if p[0] % 2 else p[0], p[1])))
        return st.tuples(dims, st.booleans()).map(
            lambda dk: Example((TensorArg(a, True), ord_), {"dim": dk[0], "keepdim": dk[1]}))
    spectral = st.tuples(separated(dtype, distinct=True), st.sampled_from(ORDS[1:2] + ORDS[4:6]))
    # the entrywise orders on any values (hostile ones too), of the same shapes
    entrywise = st.tuples(separated(dtype, distinct=True).flatmap(lambda a: arrays(dtype, a.shape, real())),
                          st.sampled_from(ORDS[:1] + ORDS[2:4] + ORDS[6:]))
    return st.one_of(spectral, entrywise).flatmap(make)


TOL = {"float32": (1e-3, 1e-3), "float64": (1e-7, 1e-7)}

RECORDS = [
    Record("matrix_norm", norms, namespace="linalg", forms=("function",), tolerance=TOL, label="linalg.matrix_norm"),
]
