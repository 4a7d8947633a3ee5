'''Cheat: every answer re-exports course_lib's reference (directly, through a wrapper or a subclass).'''
EXPECT = {"build_char_vocab": 0, "make_sequences": 0, "sample_next": 0, "CharLSTM": 0, "generate": 0, "train_step": 0}

# %% build_char_vocab
from course_lib.training.char_lm import build_char_vocab

# %% make_sequences
from course_lib.training import char_lm as _tr


def make_sequences(ids, seq_len):
    return _tr.make_sequences(ids, seq_len)

# %% sample_next
from course_lib.torch_nn.char_lm import sample_next

# %% CharLSTM
from course_lib.torch_nn.char_lm import CharLSTM as _RefCharLSTM


class CharLSTM(_RefCharLSTM):
    pass

# %% generate
from course_lib.torch_nn.char_lm import generate

# %% train_step
from course_lib.training import char_lm as _training


def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    return _training.train_step(model, optimizer, x, y, state, clip_norm)
