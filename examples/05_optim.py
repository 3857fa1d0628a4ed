"""Tutorial 5: the network of tutorial 3, trained the usual way: a DataLoader of mini-batches,
torch.optim.SGD with momentum, a learning-rate schedule, gradient clipping, and a checkpoint.

Runs unchanged in PyTorch: replace the import below with `import torch`.  Initial values come
from NumPy so that both libraries start from the same numbers (the batches are not shuffled, so
both see them in the same order).
"""
import io

import numpy as np

import mygrad as torch

DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset

rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((100, 3)), dtype=torch.float32)
coefficients = torch.tensor([[0.2], [-1.3], [-0.5]])
noise = torch.tensor(0.1 * rng.standard_normal((100, 1)), dtype=torch.float32)
y = x.mm(coefficients) + noise  # y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise

w1 = torch.tensor(rng.standard_normal((3, 32)), dtype=torch.float32, requires_grad=True)
b1 = torch.tensor(rng.standard_normal((1, 32)), dtype=torch.float32, requires_grad=True)
w2 = torch.tensor(rng.standard_normal((32, 1)), dtype=torch.float32, requires_grad=True)
b2 = torch.tensor(rng.standard_normal((1, 1)), dtype=torch.float32, requires_grad=True)
params = [w1, b1, w2, b2]

loader = DataLoader(TensorDataset(x, y), batch_size=25)
optimizer = torch.optim.SGD(params, lr=2e-3, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

for epoch in range(40):
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        prediction = inputs.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
        loss = (prediction - targets).pow(2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, max_norm=5.0)
        optimizer.step()
        total += loss.item()
    scheduler.step()
    if epoch % 5 == 0:
        print(epoch, total / len(loader), scheduler.get_last_lr()[0])

print("final loss", total / len(loader))
print(optimizer)

buffer = io.BytesIO()
torch.save({"params": params, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, buffer)
buffer.seek(0)
checkpoint = torch.load(buffer)
print(checkpoint["optimizer"]["state"][0]["momentum_buffer"].shape, checkpoint["scheduler"]["last_epoch"])
print("restored w2 differs by", checkpoint["params"][2].sub(w2).abs().max().item())
