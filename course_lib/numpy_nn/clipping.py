r"""Gradient clipping by the global norm, in NumPy.

Shapes: each gradient has the shape of its parameter (any shape, 0-d included), for example
``dWx (D, H)``, ``dWh (H, H)``, ``db (H,)`` of :mod:`course_lib.numpy_nn.rnn`.

All gradients together are treated as one long vector :math:`g`, and the whole vector is
rescaled when its length exceeds the threshold :math:`c` (``max_norm``):

.. math::

    \lVert g \rVert = \sqrt{\textstyle\sum_k \sum_j g_{k,j}^2}, \qquad
    g_k \leftarrow g_k \cdot \frac{c}{\lVert g \rVert + \epsilon}
    \quad \text{for every } k \text{, when this factor is } < 1,

with :math:`\epsilon = 10^{-6}` as in ``torch.nn.utils.clip_grad_norm_``. One factor for all
arrays keeps the direction of the update; clipping each array by its own norm would not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]

# torch.nn.utils.clip_grad_norm_ divides by (norm + 1e-6): the factor stays finite for a zero
# gradient, and the result differs from c / norm by a relative 1e-6 / norm, which is negligible.
CLIP_EPS = 1e-6


def global_norm(grads: Sequence[ArrayLike]) -> float:
    """The L2 norm of all arrays viewed as one vector:  ‖g‖ = √(∑_k ∑_j g_k[j]²).

    >>> global_norm([np.array([3.0, 4.0]), np.array(12.0)])
    13.0
    """
    return float(np.sqrt(sum(float(np.sum(np.square(np.asarray(g, dtype=np.float64)))) for g in grads)))


def clip_by_global_norm(grads: Sequence[ArrayLike], max_norm: float) -> tuple[list[Array], float]:
    """Rescale a list of gradients so that their global norm is at most `max_norm`:

        g_k ← g_k · min(1, c / (‖g‖ + ε))      for every array g_k, with ε = 1e-6

    The same as `torch.nn.utils.clip_grad_norm_` on parameters whose `.grad` are `grads`,
    except that nothing is changed in place.

    Args:
        grads: gradient arrays of any shapes (converted to float64); never changed.
        max_norm: the threshold c > 0.

    Returns:
        clipped: a new list of new float64 arrays, `clipped[k]` shaped like `grads[k]`;
        total_norm: ‖g‖ of the gradients *before* clipping, a float.

    >>> clipped, total = clip_by_global_norm([np.array([3.0, 4.0]), np.array([12.0])], max_norm=6.5)
    >>> total
    13.0
    >>> [c.round(6) for c in clipped]  # both scaled by 6.5 / (13 + 1e-6), about one half
    [array([1.5, 2. ]), array([6.])]
    """
    clipped = [np.array(g, dtype=np.float64, copy=True) for g in grads]
    total_norm = global_norm(clipped)
    factor = max_norm / (total_norm + CLIP_EPS)
    if factor < 1.0:
        for g in clipped:  # our own copies; in place so that a 0-d array stays an array
            g *= factor
    return clipped, total_norm
