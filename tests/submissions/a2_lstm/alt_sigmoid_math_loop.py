"""Correct: sigmoid element by element with math.exp on the safe side of zero (slow but exact),
GRU with one concatenated product for the r and z gates."""
EXPECT = {}

# %% sigmoid
import math


def sigmoid(x):
    arr = np.asarray(x, dtype=np.float64)
    out = np.empty(arr.shape)
    for idx, v in np.ndenumerate(arr):
        if v >= 0:
            out[idx] = 1.0 / (1.0 + math.exp(-v))
        else:
            e = math.exp(v)
            out[idx] = e / (1.0 + e)
    return out

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[-1]
    xh = np.concatenate([x, h_prev], axis=1)
    W_rz = np.concatenate([Wx[:, :2 * H], Wh[:, :2 * H]], axis=0)
    rz = sigmoid(xh @ W_rz + bx[:2 * H] + bh[:2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(x @ Wx[:, 2 * H:] + bx[2 * H:] + r * (h_prev @ Wh[:, 2 * H:] + bh[2 * H:]))
    return (1 - z) * n + z * h_prev
