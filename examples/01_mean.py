"""Tutorial 1: a tensor that requires grad, a mean, and its gradient.

Runs unchanged in PyTorch: replace the import below with `import torch`.
"""
import mygrad as torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x.mean()
print(y)
print(y.grad_fn)
y.backward()
print(x.grad)
