"""Records for the ops the engine core ships with; each op family now keeps its own records
(``elementwise.py``, ``reductions.py``, ...), so this module is where an op lands before it has one."""
from __future__ import annotations

RECORDS: list = []
