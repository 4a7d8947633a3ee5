"""Correct, but noisy: answers print to stderr and raise warnings, and the student deleted two
test cells (nbgrader restores them from the source). Full marks."""
EXPECT = {}
DELETE = ["test_rnn_forward", "test_one_hot"]

# %% one_hot
import sys
import warnings


def one_hot(indices, vocab_size):
    print("one_hot called", file=sys.stderr)
    warnings.warn("student debugging warning")
    indices = np.asarray(indices)
    if indices.size and (indices.min() < 0 or indices.max() >= vocab_size):
        raise ValueError("bad index")
    return np.eye(vocab_size)[indices]

# %% rnn_step_forward
def rnn_step_forward(x, h_prev, Wx, Wh, b):
    print("step", x.shape, file=sys.stderr)
    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h_next, (x, h_prev, h_next, Wx, Wh)
