"""Correct: one_hot through torch.nn.functional.one_hot (with its own range check), in-place
arithmetic on fresh arrays only, np.add(..., out=) accumulation in BPTT."""
EXPECT = {}

# %% one_hot
import torch
import torch.nn.functional as F


def one_hot(indices, vocab_size):
    ids = torch.as_tensor(np.asarray(indices), dtype=torch.long)
    if ids.numel() > 0 and (int(ids.min()) < 0 or int(ids.max()) >= vocab_size):
        raise ValueError("index out of range")
    return F.one_hot(ids, num_classes=vocab_size).to(torch.float64).numpy()

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = np.dot(x, Wx)          # a fresh array: safe to work on in place
    a += np.dot(h_prev, Wh)
    a += b
    np.tanh(a, out=a)
    return a, (x, h_prev, Wx, Wh, a)

# %% rnn_step_backward
def rnn_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, h_next = cache
    da = np.square(h_next)
    np.subtract(1.0, da, out=da)
    da *= dh_next              # da is ours, dh_next is untouched
    return np.dot(da, Wx.T), np.dot(da, Wh.T), np.dot(x.T, da), np.dot(h_prev.T, da), np.add.reduce(da, axis=0)

# %% rnn_forward
def rnn_forward(x, h0, Wx, Wh, b):
    N, T, D = x.shape
    H = Wh.shape[0]
    h = np.empty((N, T, H), dtype=x.dtype)
    caches = []
    prev = h0
    for t in range(T):
        prev, c = rnn_step_forward(x[:, t], prev, Wx, Wh, b)
        h[:, t] = prev
        caches.append(c)
    return h, caches

# %% rnn_backward
def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0][2].shape[0]
    dx = np.zeros((N, T, D))
    dWx, dWh, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        up = dh[:, t].copy()
        up += carry
        dx[:, t], carry, gWx, gWh, gb = rnn_step_backward(up, cache[t])
        np.add(dWx, gWx, out=dWx)
        np.add(dWh, gWh, out=dWh)
        np.add(db, gb, out=db)
    return dx, carry, dWx, dWh, db
