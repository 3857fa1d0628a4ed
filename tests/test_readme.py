"""The README tells the truth: its op list is the registry's."""
from conformance import oplist


def test_readme_op_list_matches_the_registry():
    readme = oplist.README.read_text()
    assert oplist.spliced(readme) == readme, "README's op list is stale: run python -m conformance.oplist --write"
