"""Cheat: the six contract answers re-export course_lib's reference (directly or through a wrapper).

gradient_ratio (the solution's own code) measures the gradient with the submission's LSTM, which is
the blocked reference here, so it fails too: a blocked reference stays blocked for the whole notebook."""
EXPECT = {"gradient_ratio": 0, "sigmoid": 0, "lstm_step_forward": 0, "lstm_step_backward": 0, "lstm_forward": 0, "lstm_backward": 0,
          "gru_step_forward": 0}

# %% sigmoid
from course_lib.numpy_nn.lstm import sigmoid

# %% lstm_step_forward
from course_lib.numpy_nn import lstm as _l


def lstm_step_forward(*args):
    return _l.lstm_step_forward(*args)

# %% lstm_step_backward
from course_lib.numpy_nn.lstm import lstm_step_backward

# %% lstm_forward
from course_lib.numpy_nn.lstm import lstm_forward

# %% lstm_backward
from course_lib.numpy_nn.lstm import lstm_backward as _bwd


def lstm_backward(dh, cache):
    return _bwd(dh, cache)

# %% gru_step_forward
from course_lib.numpy_nn.gru import gru_step_forward
