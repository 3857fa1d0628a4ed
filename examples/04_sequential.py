"""Tutorial 4: the network of tutorial 3 written with nn.Sequential and nn.MSELoss, trained with a
manual SGD update over model.parameters().

Runs unchanged in PyTorch: replace the import below with `import torch`.  The layers' initial
weights come from NumPy through load_state_dict, so both libraries start from the same numbers.
"""
import numpy as np

import mygrad as torch
from mygrad import nn

rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((100, 3)), dtype=torch.float32)
coefficients = torch.tensor([[0.2], [-1.3], [-0.5]])
noise = torch.tensor(0.1 * rng.standard_normal((100, 1)), dtype=torch.float32)
y = x.mm(coefficients) + noise  # y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise

model = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 1))
print(model)
state = {name: torch.tensor(rng.standard_normal(tuple(value.shape)) * 0.5, dtype=torch.float32)
         for name, value in model.state_dict().items()}
print(model.load_state_dict(state))
loss_fn = nn.MSELoss(reduction="sum")

learning_rate = 1e-3
for step in range(200):
    y_pred = model(x)
    loss = loss_fn(y_pred, y)
    if step % 10 == 0:
        print(step, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

print("final loss", loss.item())
print(loss.grad_fn, y_pred.grad_fn)
print([name for name, _ in model.named_parameters()])
