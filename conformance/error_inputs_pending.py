"""The rows whose bad calls (the ``error_inputs`` check) still differ from torch's: gaps of mygrad's own,
left to fix (issue 14), not differences of torch's.  A default run skips the check on these rows only,
so that every other row keeps passing it; ``--checks error_inputs`` runs it on them too, and shows what
is left.  A fix removes its row.  The list was made by ``python -m conformance --checks error_inputs
--workers 2`` at the ci profile and at the thorough one (seed 0): every row with a failing case.  A bad call
that crashes torch itself (a segmentation fault in torch 2.13: nn.EmbeddingBag's, nn.LSTM's fused layer's) is
kept off torch by its record (``unchecked=(("error_inputs: LABEL", why),)``), not listed here."""

ERROR_INPUTS_PENDING: frozenset[str] = frozenset()  # none left
