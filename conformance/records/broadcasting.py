"""Records for torch.broadcast_tensors: every output is the input (already of the common shape) or an
``expand`` view of it (ExpandBackward0); shapes that do not broadcast raise torch's RuntimeError."""
from __future__ import annotations

from ..registry import Record
from ..strategies import nary

RECORDS = [
    Record("broadcast_tensors", nary(2), forms=("function",), output="tuple"),
    Record("broadcast_tensors", nary(3), forms=("function",), output="tuple", label="broadcast_tensors (three)"),
]
