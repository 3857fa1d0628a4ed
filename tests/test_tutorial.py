"""The tutorial examples run unchanged in torch and in mygrad and print the same things.

Each example imports ``mygrad as torch``; here it runs once as written and once with that line
replaced by ``import torch``.  Every printed line must match, numbers within float32 tolerance
and object addresses aside.  The tutorial's own printed values are checked too.
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("0*.py"))
NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|-?\d+")


def run_example(path: Path, library: str) -> str:
    source = path.read_text()
    assert "import mygrad as torch\n" in source
    if library == "torch":
        source = source.replace("import mygrad as torch\n", "import torch\n").replace("from mygrad ", "from torch ")
        source = source.replace("from mygrad.", "from torch.")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, str(path), "exec"), {"__name__": "__main__"})
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", out.getvalue())


def assert_same_output(expected: str, actual: str) -> None:
    e_lines, a_lines = expected.splitlines(), actual.splitlines()
    assert len(a_lines) == len(e_lines), f"mygrad printed {len(a_lines)} lines, torch {len(e_lines)}"
    for e, a in zip(e_lines, a_lines):
        assert NUMBER.sub("#", a) == NUMBER.sub("#", e), f"mygrad: {a!r}\ntorch:  {e!r}"
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(e)):
            assert float(x) == pytest.approx(float(y), rel=2e-4, abs=1e-6), f"mygrad: {a!r}\ntorch:  {e!r}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_prints_what_torch_prints(path):
    assert_same_output(run_example(path, "torch"), run_example(path, "mygrad"))


def test_tutorial_values():
    """The tutorial's printed results: 0.25 everywhere, then 0.25, 4.65, 18.6, 14.415."""
    first = run_example(EXAMPLES[0], "mygrad")
    assert "MeanBackward0" in first and first.count("0.2500") == 4
    second = run_example(EXAMPLES[1], "mygrad")
    for value in ("0.2500", "4.6500", "18.6000", "14.4150"):
        assert value in second


def test_network_loss_decreases():
    losses = [float(line.split()[1]) for line in run_example(EXAMPLES[2], "mygrad").splitlines()
              if line[:1].isdigit()]
    assert len(losses) == 20 and losses[-1] < losses[0] / 2


def test_sequential_example_trains_and_matches_torch_losses():
    """examples/04_sequential.py: the same loss at every printed step in both libraries (checked line
    by line above), and a loss that falls."""
    lines = run_example(EXAMPLES[3], "mygrad").splitlines()
    losses = [float(line.split()[1]) for line in lines if line[:1].isdigit()]
    assert EXAMPLES[3].stem == "04_sequential" and len(losses) == 20 and losses[-1] < losses[0] / 10
    assert "<All keys matched successfully>" in lines and "MseLossBackward0" in lines[-2]


def test_optim_example_trains_and_restores_its_checkpoint():
    """examples/05_optim.py: the loss falls, and the model and optimizer loaded from the checkpoint take
    exactly the step the originals take."""
    path = next(p for p in EXAMPLES if p.stem == "05_optim")
    lines = run_example(path, "mygrad").splitlines()
    losses = [float(line.split()[1]) for line in lines if line[:1].isdigit()]
    assert len(losses) == 8 and losses[-1] < losses[0] / 20
    assert "<All keys matched successfully>" in lines and lines[-1].endswith("differ by 0.0")


def test_char_lstm_example_trains_and_matches_torch_losses():
    """examples/06_char_lstm.py: Embedding -> 2-layer LSTM -> Linear, trained by manual SGD; the same
    losses in both libraries (line by line above), and a loss that falls."""
    path, = [p for p in EXAMPLES if p.stem == "06_char_lstm"]
    lines = run_example(path, "mygrad").splitlines()
    losses = [float(line.split()[1]) for line in lines if line[:1].isdigit()]
    assert len(losses) == 6 and losses[-1] < losses[0]
    assert "<All keys matched successfully>" in lines and "NllLossBackward0" in lines[-2]
    assert "  (lstm): LSTM(8, 32, num_layers=2, batch_first=True)" in lines


def test_cnn_example_trains_and_matches_torch_losses():
    """examples/07_cnn.py: Sequential Conv2d/ReLU/MaxPool2d/Linear trained by optim.SGD over a DataLoader;
    the same losses in both libraries (line by line above), a loss that falls and a classifier that learns."""
    path, = [p for p in EXAMPLES if p.stem == "07_cnn"]
    lines = run_example(path, "mygrad").splitlines()
    losses = [float(line.split()[1]) for line in lines if line[:1].isdigit()]
    assert len(losses) == 6 and losses[-1] < losses[0] / 2
    accuracy, = [float(line.split()[1]) for line in lines if line.startswith("accuracy")]
    assert accuracy > 0.9
    assert "<All keys matched successfully>" in lines and "NllLossBackward0" in lines[-1]


def test_char_transformer_example_trains_and_matches_torch_losses():
    """examples/08_char_transformer.py: Embedding + position -> 2-layer TransformerEncoder (causal) -> Linear,
    trained by optim.Adam; the same losses in both libraries (line by line above), and a loss that falls."""
    path, = [p for p in EXAMPLES if p.stem == "08_char_transformer"]
    lines = run_example(path, "mygrad").splitlines()
    losses = [float(line.split()[1]) for line in lines if line[:1].isdigit()]
    assert len(losses) == 5 and losses[-1] < losses[0] / 2
    assert "NllLossBackward0" in lines[-2] and "self_attn.in_proj_weight" in lines[-1]
