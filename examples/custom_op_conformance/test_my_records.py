"""Records in your own test module, collected by the conformance pytest plugin: ``pytest examples/custom_op_conformance``.

Every record of ``conformance_records`` becomes one test per (call form, dtype), each running every
applicable check against the installed torch (``--conformance-profile quick|ci|thorough``, default ci:
25 examples each); a failing test shows the mismatch and a standalone repro program, and the session
ends with the op-by-check matrix.  ``conformance.Only`` narrows a record to some checks, forms or dtypes.
"""
from __future__ import annotations

from hypothesis import strategies as st
from my_ops import softplus, softplus_reference, swish

from conformance import Only, Record, binary, positive, real, unary


def scaled_sub(lib, a, b, alpha: float = 1.0):
    """a - alpha * b, through torch's own ``sub`` (its ``alpha`` keyword): one node, torch's."""
    return lib.sub(a, b, alpha=alpha)


def safe_log_ratio(lib, a, b):
    """log(a / b) for positive a and b: division then log, two nodes in each library."""
    return (a / b).log()


conformance_records = [
    Record("swish", unary(real(-4, 4), beta=st.sampled_from([0.5, 1.0, 2.0])), forms=("call",), call=swish),
    Record("scaled_sub", binary(scalars=False, alpha=st.sampled_from([0.5, 2.0])), forms=("call",),
           call=scaled_sub),
    Record("safe_log_ratio", binary(positive(), scalars=False), forms=("call",), call=safe_log_ratio,
           dtypes=("float64",)),
    # a reimplementation has mygrad's primitives' nodes, not torch's SoftplusBackward0: leave the node checks out
    Only(Record.custom("softplus", unary(real(-4, 4), beta=st.sampled_from([0.5, 1.0, 2.0])),
                       reference=softplus_reference, implementation=softplus),
         checks=["errors", "shape", "dtype", "value", "flags", "grad", "double", "no_grad", "mutation", "aliasing"]),
]
