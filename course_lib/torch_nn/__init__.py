"""The NumPy layers' math as ``torch.nn.Module``\\ s, laid out like ``torch.nn`` so weights copy across."""
