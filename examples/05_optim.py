"""Tutorial 5: the network of tutorial 4, trained the usual way: a DataLoader of mini-batches,
optim.SGD with momentum, a learning-rate schedule, gradient clipping, and a checkpoint.

Runs unchanged in PyTorch: replace the import below with `import torch`.  The layers' initial
weights come from NumPy through load_state_dict, so both libraries start from the same numbers
(the batches are not shuffled, so both see them in the same order).
"""
import io

import numpy as np

import mygrad as torch
from mygrad import nn

DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset

rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((100, 3)), dtype=torch.float32)
coefficients = torch.tensor([[0.2], [-1.3], [-0.5]])
noise = torch.tensor(0.1 * rng.standard_normal((100, 1)), dtype=torch.float32)
y = x.mm(coefficients) + noise  # y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise

model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 1))
model.load_state_dict({name: torch.tensor(rng.standard_normal(tuple(value.shape)) * 0.5, dtype=torch.float32)
                       for name, value in model.state_dict().items()})
loss_fn = nn.MSELoss()
loader = DataLoader(TensorDataset(x, y), batch_size=25)
optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

for epoch in range(40):
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        total += loss.item()
    scheduler.step()
    if epoch % 5 == 0:
        print(epoch, total / len(loader), scheduler.get_last_lr()[0])

print("final loss", total / len(loader))
print(optimizer)

# A checkpoint: saved, loaded into a fresh model and optimizer, which then take the same step.
buffer = io.BytesIO()
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, buffer)
buffer.seek(0)
checkpoint = torch.load(buffer)
restored = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 1))
print(restored.load_state_dict(checkpoint["model"]))
restored_optimizer = torch.optim.SGD(restored.parameters(), lr=1.0)
restored_optimizer.load_state_dict(checkpoint["optimizer"])
for net, opt in ((model, optimizer), (restored, restored_optimizer)):
    opt.zero_grad()
    loss_fn(net(x), y).backward()
    opt.step()
print("after one more step the copies differ by",
      max((a - b).abs().max().item() for a, b in zip(model.parameters(), restored.parameters())))
