"""From-scratch NumPy layers as ``*_forward`` / ``*_backward`` pairs (CS231n style).

Shapes: N batch, T time steps, D input features, H hidden units, V vocabulary.
"""
