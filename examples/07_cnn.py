"""Tutorial 6: a small convolutional classifier, nn.Sequential of Conv2d/ReLU/MaxPool2d/Flatten/Linear,
trained with optim.SGD (momentum) over a DataLoader to tell horizontal bars from vertical ones.

Runs unchanged in PyTorch: replace the import below with `import torch`.  The images and the initial
weights come from NumPy, so both libraries start from the same numbers and print the same losses.
"""
import numpy as np

import mygrad as torch
from mygrad import nn, optim
from mygrad.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
labels = rng.integers(0, 2, 64)                      # 0: a horizontal bar, 1: a vertical bar
images = 0.3 * rng.standard_normal((64, 1, 8, 8))
rows = rng.integers(1, 7, 64)
for k, (label, row) in enumerate(zip(labels, rows)):
    if label == 0:
        images[k, 0, row, :] += 1.0
    else:
        images[k, 0, :, row] += 1.0
dataset = TensorDataset(torch.tensor(images, dtype=torch.float32), torch.tensor(labels))
loader = DataLoader(dataset, batch_size=16)

model = nn.Sequential(
    nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(8 * 2 * 2, 2),
)
print(model)
state = {name: torch.tensor(rng.uniform(-0.4, 0.4, tuple(value.shape)), dtype=torch.float32)
         for name, value in model.state_dict().items()}
print(model.load_state_dict(state))
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(6):
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    print(epoch, total / len(loader))

model.eval()
with torch.no_grad():
    predictions = model(dataset.tensors[0]).argmax(dim=1)
print("accuracy", (predictions == dataset.tensors[1]).float().mean().item())
print(loss.grad_fn, loss.grad_fn.next_functions[0][0])
