"""torch.linalg: the norms (vector_norm, matrix_norm, norm), inv/inv_ex/det (ops/decompositions.py).

Every vector norm is one LinalgVectorNormBackward0 node; the matrix 1- and inf-norms are torch's
composite (an amax/amin of a vector 1-norm), so their graphs match torch's, as are the spectral and
nuclear norms (over svdvals).  Products live in ops/linalg_products.py, factorizations (cholesky, qr,
eigh, svd) and solves in ops/decompositions.py.
"""
from ._missing import module_getattr as _module_getattr
from .ops.decompositions import (
    LinAlgError,
    cholesky,
    cholesky_ex,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    matrix_exp,
    matrix_rank,
    pinv,
    qr,
    slogdet,
    solve,
    solve_triangular,
    svd,
    svdvals,
)
from .ops.householder import householder_product
from .ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg_composites import cond, diagonal, matmul, solve_ex, tensorinv, tensorsolve, vander
from .ops.linalg_products import linalg_cross as cross, matrix_power, multi_dot, vecdot
from .ops.lstsq import lstsq
from .ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from .ops.norms import matrix_norm, norm
from .ops.reductions import vector_norm

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "eigh", "eigvalsh",
           "householder_product", "inv", "inv_ex",
           "diagonal", "ldl_factor", "ldl_factor_ex", "ldl_solve",
           "lstsq", "lu", "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "solve_ex",
           "tensorinv", "tensorsolve", "vander",
           "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet",
           "solve", "solve_triangular", "svd", "svdvals", "vecdot",
           "vector_norm"]
__getattr__ = _module_getattr(__name__, "linalg")  # a torch name mygrad lacks: an AttributeError that says so
