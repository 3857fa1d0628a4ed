"""Tutorial 5: a tiny character-level language model, nn.Embedding -> nn.LSTM -> nn.Linear, trained for a
few steps with a manual SGD update and nn.CrossEntropyLoss to predict each next character of a sentence.

Runs unchanged in PyTorch: replace the import below with `import torch`.  The initial weights come from
NumPy through load_state_dict, so both libraries start from the same numbers and print the same losses.
"""
import numpy as np

import mygrad as torch
from mygrad import nn

text = "the quick brown fox jumps over the lazy dog. "
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
encoded = torch.tensor([index[c] for c in text * 2])
inputs = torch.stack([encoded[i:i + 16] for i in range(0, 64, 8)])       # (batch 8, sequence 16)
targets = torch.stack([encoded[i + 1:i + 17] for i in range(0, 64, 8)])


class CharLSTM(nn.Module):
    def __init__(self, vocabulary: int, hidden: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, 8)
        self.lstm = nn.LSTM(8, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, vocabulary)

    def forward(self, x):
        out, (h, c) = self.lstm(self.embed(x))
        return self.head(out)


model = CharLSTM(len(chars), 32)
print(model)
rng = np.random.default_rng(0)
state = {name: torch.tensor(rng.uniform(-0.3, 0.3, tuple(value.shape)), dtype=torch.float32)
         for name, value in model.state_dict().items()}
print(model.load_state_dict(state))
learning_rate = 1.0
loss_fn = nn.CrossEntropyLoss()

for step in range(30):
    logits = model(inputs)
    loss = loss_fn(logits.reshape(-1, len(chars)), targets.reshape(-1))
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
    if step % 5 == 0:
        print(step, loss.item())

print("final loss", loss.item())
print(loss.grad_fn)
print([name for name, _ in model.lstm.named_parameters()])
