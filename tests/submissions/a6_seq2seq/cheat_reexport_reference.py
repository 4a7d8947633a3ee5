'''Re-exports course_lib's reference solutions: the grader blocks them, so nothing scores.'''
EXPECT = {"additive_attention": 0, "shift_right": 0, "sequence_loss": 0, "greedy_decode": 0, "beam_search": 0}

# %% additive_attention
from course_lib.torch_nn.seq2seq import additive_attention

# %% shift_right
from course_lib.torch_nn.seq2seq import shift_right

# %% sequence_loss
from course_lib.torch_nn.seq2seq import sequence_loss

# %% greedy_decode
from course_lib.torch_nn.seq2seq import greedy_decode

# %% beam_search
from course_lib.torch_nn.seq2seq import beam_search
