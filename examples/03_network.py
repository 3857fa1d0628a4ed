"""Tutorial 3: a two-layer network trained with loss.backward(), updates under no_grad, zeroed grads.

Runs unchanged in PyTorch: replace the import below with `import torch`.  Initial values come
from NumPy so that both libraries start from the same numbers.
"""
import numpy as np

import mygrad as torch

rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((100, 3)), dtype=torch.float32)
coefficients = torch.tensor([[0.2], [-1.3], [-0.5]])
noise = torch.tensor(0.1 * rng.standard_normal((100, 1)), dtype=torch.float32)
y = x.mm(coefficients) + noise  # y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise

w1 = torch.tensor(rng.standard_normal((3, 32)), dtype=torch.float32, requires_grad=True)
b1 = torch.tensor(rng.standard_normal((1, 32)), dtype=torch.float32, requires_grad=True)
w2 = torch.tensor(rng.standard_normal((32, 1)), dtype=torch.float32, requires_grad=True)
b2 = torch.tensor(rng.standard_normal((1, 1)), dtype=torch.float32, requires_grad=True)

learning_rate = 1e-4
for step in range(200):
    y_pred = x.mm(w1).add(b1).clamp(min=0).mm(w2).add(b2)
    loss = (y_pred - y).pow(2).sum()
    if step % 10 == 0:
        print(step, loss.item())
    loss.backward()
    with torch.no_grad():
        for param in (w1, b1, w2, b2):
            param.sub_(learning_rate * param.grad)
            param.grad.zero_()

print("final loss", loss.item())
print(y_pred.grad_fn)
