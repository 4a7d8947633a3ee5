"""Cheat: every answer re-exports course_lib's reference (directly or through a wrapper)."""
EXPECT = {"one_hot": 0, "rnn_step_forward": 0, "rnn_step_backward": 0, "rnn_forward": 0, "rnn_backward": 0,
          "clip_by_global_norm": 0}

# %% one_hot
from course_lib.numpy_nn.layers import one_hot

# %% rnn_step_forward
from course_lib.numpy_nn.rnn import rnn_step_forward

# %% rnn_step_backward
from course_lib.numpy_nn import rnn as _r


def rnn_step_backward(dh_next, cache):
    return _r.rnn_step_backward(dh_next, cache)

# %% rnn_forward
from course_lib.numpy_nn.rnn import rnn_forward as _fwd


def rnn_forward(*args):
    return _fwd(*args)

# %% rnn_backward
from course_lib.numpy_nn.rnn import rnn_backward

# %% clip_by_global_norm
from course_lib.numpy_nn.clipping import clip_by_global_norm
