"""Cheat: every answer re-exports course_lib's reference (directly, renamed, or subclassed)."""
EXPECT = {"build_vocab": 0, "encode_batch": 0, "last_valid_output": 0, "SentimentLSTM": 0}

# %% build_vocab
from course_lib.data.vocab import build_vocab

# %% encode_batch
from course_lib.data import vocab as _v


def encode_batch(sentences, vocab):
    return _v.encode_batch(sentences, vocab)

# %% last_valid_output
from course_lib.torch_nn.packing import last_valid_output

# %% SentimentLSTM
from course_lib.torch_nn.packing import PackedLSTMClassifier


class SentimentLSTM(PackedLSTMClassifier):
    pass
