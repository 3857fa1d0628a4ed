"""Two custom operations a user might write, to be checked against torch with the conformance harness.

``swish`` is written once against the torch API (``lib`` is ``torch`` or ``mygrad``): the harness
runs the same code in both libraries and checks the engine underneath (values, gradients, node
names, graph, double backward, no_grad, ...).

``softplus`` is a reimplementation of ``torch.nn.functional.softplus`` from mygrad primitives:
the harness compares it with torch's own function.  Its graph is made of other nodes than
torch's single ``SoftplusBackward0``, so the test leaves out the ``grad_fn`` and ``graph`` checks.
"""
from __future__ import annotations

import mygrad
import torch


def swish(lib, x, beta: float = 1.0):
    """x * sigmoid(beta * x), summed over the last dimension."""
    return (x * (beta * x).sigmoid()).sum(-1)


def softplus(x, beta: float = 1.0):
    """log(1 + exp(beta * x)) / beta (for moderate inputs: torch switches to x above ``threshold=20``).

    (The "stable" spelling max(z, 0) + log1p(exp(-|z|)) has the right values but the wrong gradient
    at 0: clamp's and abs's slopes there are torch's conventions, 1 and 0, not the limit 1/2.  The
    harness finds that on its first run.)"""
    return (x * beta).exp().log1p() / beta


softplus_reference = torch.nn.functional.softplus
__all__ = ["mygrad", "softplus", "softplus_reference", "swish"]
