"""conformance: proves, op by op and behaviour by behaviour, that mygrad matches the installed PyTorch."""
