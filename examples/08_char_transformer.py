"""Tutorial 8: a tiny character-level transformer, nn.Embedding (+ a learned position embedding) ->
nn.TransformerEncoder with a causal mask -> nn.Linear, trained for a few steps with optim.Adam to predict each
next character of a sentence.

Runs unchanged in PyTorch: replace the import below with `import torch`.  The initial weights come from
NumPy through load_state_dict, so both libraries start from the same numbers and print the same losses.
It runs in float64: attention trained by Adam amplifies float32 rounding, and after 15 steps the two
libraries' float32 losses (each as accurate against float64 as the other at the first step) differ in the
fourth digit.
"""
import numpy as np

import mygrad as torch
from mygrad import nn, optim

torch.set_default_dtype(torch.float64)

text = "the quick brown fox jumps over the lazy dog. "
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
encoded = torch.tensor([index[c] for c in text * 2])
inputs = torch.stack([encoded[i:i + 16] for i in range(0, 64, 8)])       # (batch 8, sequence 16)
targets = torch.stack([encoded[i + 1:i + 17] for i in range(0, 64, 8)])


class CharTransformer(nn.Module):
    def __init__(self, vocabulary: int, width: int, heads: int, layers: int, length: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocabulary, width)
        self.position = nn.Parameter(torch.zeros(length, width))
        layer = nn.TransformerEncoderLayer(width, heads, dim_feedforward=2 * width, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(width, vocabulary)
        self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(length))

    def forward(self, x):
        h = self.embed(x) + self.position[:x.shape[1]]
        return self.head(self.encoder(h, mask=self.causal, is_causal=True))


model = CharTransformer(len(chars), 16, 2, 2, 16)
print(model)
rng = np.random.default_rng(0)


def initial(name, shape):
    if "norm" in name:
        return np.ones(shape) if name.endswith("weight") else np.zeros(shape)
    return rng.normal(0.0, 0.2, shape) if name != "causal" else None


state = {name: torch.tensor(initial(name, tuple(value.shape)), dtype=torch.float64)
         for name, value in model.state_dict().items() if name != "causal"}
print(model.load_state_dict(state, strict=False))
optimizer = optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()

for step in range(25):
    logits = model(inputs)
    loss = loss_fn(logits.reshape(-1, len(chars)), targets.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        print(step, loss.item())

print("final loss", loss.item())
print(loss.grad_fn)
print([name for name, _ in model.encoder.layers[0].named_parameters()])
torch.set_default_dtype(torch.float32)
