# %% [markdown]
# # Assignment 3 — Packing variable-length batches: a toy sentiment classifier
#
# Sentences have different lengths, but a batch is one rectangular tensor. You will turn
# sentences into a right-padded batch of word ids, pick each sentence's output at its *own* last
# word, and build an LSTM classifier that never lets padding into the LSTM, using
# `pack_padded_sequence` and an LSTM with a projection (`proj_size`).
#
# Read first: chapter 5, *Packing variable-length batches*.
#
# **How to work.** Replace each `raise NotImplementedError()` with your code; keep the names and
# signatures. Run the cell below each exercise: it holds quick visible checks. More checks run
# when your notebook is graded (among them: your model must give every sentence the same logits
# as running it alone, unpadded, through the same weights), so make your code correct, not just
# the visible checks green. Before you submit, restart the kernel and run all cells, or press
# **Validate**.
#
# **Check it as the grader will.** From a clone of the course's repository,
# `.venv/bin/course check packing_sentiment.ipynb` grades this notebook exactly as your instructor's grader
# does, hidden checks included, and prints each check's score and message (never the hidden
# code); a message that ends with `[common mistake: ...]` is explained on the book's page
# *Common mistakes*.
#
# **Shapes.** `N` batch (sentences), `T` time steps (words), `D` embedding size, `H` hidden
# size, `P` projection size, `V` vocabulary size *counting* the padding id `0`, `C` classes.
# Everything is a PyTorch tensor; ids and lengths are `torch.long`.
#
# You may use PyTorch freely, including `torch.nn.utils.rnn`. Do not call `course_lib`'s
# reference solutions: the grader checks that the work is yours.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import warnings

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_num_threads(1)  # these models are tiny: one thread is faster than several
# PyTorch says once, on stderr, that its oneDNN kernels cannot run an LSTM with a projection (it
# uses its own instead). Validate counts any stderr in a test cell as a failure: silence it.
warnings.filterwarnings("ignore", message="LSTM with projections is not supported with oneDNN")

SENTENCES = [
    "i am happy", "you are happy", "feel good", "you feel good", "i am not sad", "you feel not bad",
    "i am sad", "you are sad", "feel bad", "you feel bad", "you are not happy", "i feel not good",
]
TARGETS = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]  # 1 positive, 0 negative

# %% [markdown]
# ## Exercise 1 — a vocabulary (1 point)
#
# `build_vocab(sentences)` splits every sentence on whitespace (any run of spaces, tabs or
# newlines) and gives each *new* word the next id, `1, 2, 3, …`, in order of first appearance.
# A word is exactly what the split gives: no lower-casing, no stripping of punctuation (`"Good"`,
# `"good"` and `"good!"` are three words). Id `0` is kept for padding: it is not in the
# dictionary. So `"i am happy", "you are happy"` gives
# `{"i": 1, "am": 2, "happy": 3, "you": 4, "are": 5}`, and an embedding table for it needs
# `V = len(vocab) + 1` rows.

# %% nbgrader={"grade": false, "grade_id": "build_vocab", "locked": false, "schema_version": 3, "solution": true}
def build_vocab(sentences):
    """list of str -> dict word -> id, ids 1, 2, 3, ... in order of first appearance."""
    ### BEGIN SOLUTION
    vocab = {}
    for sentence in sentences:
        for word in sentence.split():
            if word not in vocab:
                vocab[word] = len(vocab) + 1
    return vocab
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_build_vocab", "locked": true, "points": 1, "schema_version": 3, "solution": false}
_vocab = build_vocab(["i am happy", "you are happy"])
assert isinstance(_vocab, dict), f"build_vocab should return a dict, got {type(_vocab).__name__}"
assert _vocab == {"i": 1, "am": 2, "happy": 3, "you": 4, "are": 5}, (
    f"build_vocab(['i am happy', 'you are happy']) gave {_vocab}; ids start at 1 (0 is padding) and follow "
    "the order in which words first appear")
### BEGIN HIDDEN TESTS
import string

import course_lib.data.vocab as _ref_vocab
from course_lib.diagnosis import Diagnosis
from course_lib.grading import reference_blocked

_d = Diagnosis("a3_packing", "build_vocab")


def _numbered(words):
    vocab = {}
    for word in words:
        vocab.setdefault(word, len(vocab) + 1)
    return vocab


def _vocab_mistake(got, sentences):
    """The common mistake whose vocabulary ``got`` is, if one is (the right one is _numbered(...))."""
    words = [w for s in sentences for w in s.split()]
    right = _numbered(words)
    candidates = {
        "ids-from-zero": {w: i - 1 for w, i in right.items()},
        "vocab-sorted": {w: i + 1 for i, w in enumerate(sorted(right))},
        "vocab-lowercased": _numbered(w.strip(string.punctuation) for w in " ".join(sentences).lower().split()
                                      if w.strip(string.punctuation)),
        "split-on-single-space": _numbered(w for s in sentences for w in s.split(" ")),
    }
    found = [m for m, c in candidates.items() if c != right and got == c]
    if found:
        return found[0]
    if isinstance(got, dict) and set(got) == set(right) and sorted(got.values()) == sorted(right.values()):
        return "ids-not-first-appearance"
    return None


_seed_sentences = [
    "i am happy", "you are happy", "feel good", "you feel good", "i am not sad", "you feel not bad",
    "i am sad", "you are sad", "feel bad", "you feel bad", "you are not happy", "i feel not good",
]
_cases = {
    "the twelve toy sentences": (
        _seed_sentences,
        {"i": 1, "am": 2, "happy": 3, "you": 4, "are": 5, "feel": 6, "good": 7, "not": 8, "sad": 9, "bad": 10}),
    "words that are not in sorted order, repeated within a sentence": (
        ["zeta alpha zeta", "beta alpha gamma", "alpha"], {"zeta": 1, "alpha": 2, "beta": 3, "gamma": 4}),
    "tabs, newlines and runs of spaces between words": (
        ["  mu\tnu  ", "xi\n\nmu   omicron"], {"mu": 1, "nu": 2, "xi": 3, "omicron": 4}),
    "a single one-word sentence": (["solo"], {"solo": 1}),
    "capitals and punctuation (words are kept exactly as written)": (
        ["The cat sat.", "the Cat sat", "sat. The"], {"The": 1, "cat": 2, "sat.": 3, "the": 4, "Cat": 5, "sat": 6}),
}
for _what, (_sentences, _expected) in _cases.items():
    with reference_blocked(_ref_vocab.build_vocab, _ref_vocab.encode_batch, _ref_vocab.encode):
        _got = build_vocab(list(_sentences))
    assert isinstance(_got, dict), f"build_vocab should return a dict, got {type(_got).__name__}"
    if _got != _expected and _vocab_mistake(_got, _sentences):
        _d.fail(_vocab_mistake(_got, _sentences), f"build_vocab on {_what}")
    assert _got == _expected, f"build_vocab on {_what}: got {_got}, expected {_expected}"
    assert list(_got) == list(_expected), f"build_vocab on {_what}: keys should be in order of first appearance"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — a padded batch (2 points)
#
# `encode_batch(sentences, vocab)` returns
#
# * `ids`, a `torch.long` tensor `(N, L)` where `L` is the number of words of the longest
#   sentence; row `n` holds sentence `n`'s ids followed by zeros (padding on the **right**);
#   sentences stay in the order given (do not sort them);
# * `lengths`, a `torch.long` tensor `(N,)` with each sentence's number of words.
#
# A word that is not in `vocab` must raise `KeyError`, and the error must name the word. Never
# map it to `0`: that is the padding id, and the model would silently read a shorter sentence.

# %% nbgrader={"grade": false, "grade_id": "encode_batch", "locked": false, "schema_version": 3, "solution": true}
def encode_batch(sentences, vocab):
    """list of N str, dict -> ids LongTensor (N, L) right-padded with 0, lengths LongTensor (N,)."""
    ### BEGIN SOLUTION
    rows = []
    for sentence in sentences:
        row = []
        for word in sentence.split():
            if word not in vocab:
                raise KeyError(f"unknown word {word!r}")
            row.append(vocab[word])
        rows.append(row)
    lengths = torch.tensor([len(row) for row in rows], dtype=torch.long)
    ids = torch.zeros(len(rows), int(lengths.max()), dtype=torch.long)
    for n, row in enumerate(rows):
        ids[n, : len(row)] = torch.tensor(row, dtype=torch.long)
    return ids, lengths
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_encode_batch", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch

_vocab = {"i": 1, "am": 2, "happy": 3, "not": 4}
_ids, _lengths = encode_batch(["i am happy", "i am not happy", "happy"], _vocab)
assert torch.is_tensor(_ids) and _ids.dtype == torch.long, "ids should be a torch.long tensor"
assert torch.is_tensor(_lengths) and _lengths.dtype == torch.long, "lengths should be a torch.long tensor"
assert tuple(_ids.shape) == (3, 4), f"ids should be (N, L) = (3, 4) here, got {tuple(_ids.shape)}"
assert _lengths.tolist() == [3, 4, 1], f"lengths should be [3, 4, 1], got {_lengths.tolist()}"
assert _ids.tolist() == [[1, 2, 3, 0], [1, 2, 4, 3], [3, 0, 0, 0]], (
    f"ids should be right-padded with 0, in the given order; got {_ids.tolist()}")
### BEGIN HIDDEN TESTS
import course_lib.data.vocab as _ref_vocab
from course_lib.diagnosis import FAILURES, Diagnosis
from course_lib.grading import reference_blocked

_d = Diagnosis("a3_packing", "encode_batch")
_blocked = (_ref_vocab.build_vocab, _ref_vocab.encode_batch, _ref_vocab.encode)
# ids that are not in first-appearance order: the function must look words up, not renumber them
_vocab = {"good": 7, "feel": 3, "you": 1, "not": 9, "bad": 2, "am": 5, "i": 4}
_sentences = ["feel good", "you feel not bad", "i", "i am not  good", "bad"]
with reference_blocked(*_blocked):
    _ids, _lengths = encode_batch(list(_sentences), dict(_vocab))
assert torch.is_tensor(_ids) and _ids.dtype == torch.long, "ids should be a torch.long tensor"
assert torch.is_tensor(_lengths) and _lengths.dtype == torch.long, "lengths should be a torch.long tensor"
_expected = [[3, 7, 0, 0], [1, 3, 9, 2], [4, 0, 0, 0], [4, 5, 9, 7], [2, 0, 0, 0]]
_order = sorted(range(5), key=lambda n: -[2, 4, 1, 4, 1][n])  # longest first, ties in order
if _ids.tolist() != _expected:
    if _ids.tolist() == [[0] * row.count(0) + [i for i in row if i] for row in _expected]:
        _d.fail("left-padding")
    if _ids.tolist() == [_expected[n] for n in _order]:
        _d.fail("batch-reordered")
assert _lengths.tolist() == [2, 4, 1, 4, 1], f"lengths: got {_lengths.tolist()}, expected [2, 4, 1, 4, 1]"
assert _ids.tolist() == _expected, (
    f"ids: got {_ids.tolist()}, expected {_expected} (right padding with 0, the given order, the vocab's ids)")
with reference_blocked(*_blocked):
    _ids, _lengths = encode_batch(["you feel bad"], dict(_vocab))
if _ids.dim() == 2 and _ids.shape[1] > 3 and _ids.tolist()[0][:3] == [1, 3, 2]:
    _d.fail("pads-to-fixed-length", "a batch of one three-word sentence")
assert _ids.tolist() == [[1, 3, 2]] and _lengths.tolist() == [3], "a batch of one sentence: no padding at all"
for _bad in (["i am happy"], ["feel good", "you feel terrible"]):
    _unknown = "happy" if _bad == ["i am happy"] else "terrible"
    try:
        with reference_blocked(*_blocked):
            encode_batch(list(_bad), dict(_vocab))
    except KeyError as _err:
        if _unknown not in str(_err):
            _d.fail("key-error-unnamed", f"the KeyError for {_bad} says {_err}")
    except FAILURES as _err:
        _d.fail("wrong-exception-for-unknown-word", f"encode_batch({_bad}) raised {type(_err).__name__}")
    else:
        _d.fail("unknown-word-silent", f"encode_batch({_bad}) raised nothing ({_unknown!r} is not in the vocabulary)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — each sequence's last valid output (2 points)
#
# A recurrent layer run over a padded batch returns an output for every step, padding included.
# Sentence `n` ends at step `lengths[n] - 1`; what comes after is padding. Write
# `last_valid_output(output, lengths)` that returns, for every `n`, `output[n, lengths[n] - 1]`:
#
# $$y_n = \text{output}[n,\ \ell_n - 1], \qquad \text{output} \in \mathbb{R}^{N \times T \times H},\quad y \in \mathbb{R}^{N \times H}.$$
#
# `output[:, -1]` is **not** it (that is a padding step for every sentence shorter than `T`).
# Keep the result differentiable: gradients must flow back into `output`. Do not change `output`
# or `lengths` in place (no `lengths -= 1`): the caller uses them again.

# %% nbgrader={"grade": false, "grade_id": "last_valid_output", "locked": false, "schema_version": 3, "solution": true}
def last_valid_output(output, lengths):
    """output (N, T, H) batch-first, lengths (N,) -> (N, H), row n = output[n, lengths[n] - 1]."""
    ### BEGIN SOLUTION
    return output[torch.arange(output.shape[0]), lengths - 1]
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_last_valid_output", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch

_out = torch.arange(2 * 3 * 2, dtype=torch.float).view(2, 3, 2)  # N=2, T=3, H=2
_got = last_valid_output(_out, torch.tensor([2, 3]))
assert tuple(_got.shape) == (2, 2), f"the result should be (N, H) = (2, 2), got {tuple(_got.shape)}"
assert _got.tolist() == [[2.0, 3.0], [10.0, 11.0]], (
    f"with lengths [2, 3] expected rows output[0, 1] = [2, 3] and output[1, 2] = [10, 11]; got {_got.tolist()}")
### BEGIN HIDDEN TESTS
import course_lib.torch_nn.packing as _ref_packing
from course_lib.diagnosis import Diagnosis
from course_lib.gradient_probes import input_gradients
from course_lib.grading import reference_blocked

_d = Diagnosis("a3_packing", "last_valid_output")
_g = torch.Generator().manual_seed(31)
for _N, _T, _H, _lengths in ((4, 6, 3, [6, 1, 3, 4]), (5, 2, 1, [1, 2, 2, 1, 1]), (1, 4, 2, [4])):
    _out = torch.randn(_N, _T, _H, generator=_g, dtype=torch.float64)
    _len = torch.tensor(_lengths)
    _weights = torch.randn(_N, _H, generator=_g, dtype=torch.float64)  # d loss / d result, for the gradient
    _out_arg, _len_arg = _out.clone(), _len.clone()
    with reference_blocked(_ref_packing.last_valid_output, _ref_packing.PackedLSTMClassifier.forward):
        _got = last_valid_output(_out_arg, _len_arg)
        _, (_d_out,) = input_gradients(last_valid_output, (_out, _len.clone()), wrt=(0,), grad_output=_weights)
    _d.unchanged("last_valid_output", {"output": _out_arg, "lengths": _len_arg}, {"output": _out, "lengths": _len})
    _expected = torch.stack([_out[n, _lengths[n] - 1] for n in range(_N)])  # oracle: a plain loop
    _d.check(_got, _expected, name=f"last_valid_output with N={_N}, T={_T}, lengths {_lengths}",
             mistakes={"last-padded-step": _out[:, -1], "gather-not-expanded": _expected[:, :1].expand(-1, _H),
                       "off-by-one-length": _out[torch.arange(_N), _len.clamp(max=_T - 1)]})
    if _d_out is None:
        _d.fail("result-detached")
    _expected_grad = torch.zeros(_N, _T, _H, dtype=torch.float64)  # each weight lands on its last valid step
    for _n in range(_N):
        _expected_grad[_n, _lengths[_n] - 1] = _weights[_n]
    _d.check(_d_out, _expected_grad, name="the gradient reaching output (only at each last valid step)")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — an LSTM classifier that never reads padding (4 points)
#
# Write `SentimentLSTM(vocab_size, embed_dim, hidden_size, num_classes, proj_size=0)` with exactly
# these three attributes (the grader copies their weights into its own modules):
#
# | attribute | module |
# |---|---|
# | `embed` | `nn.Embedding(vocab_size, embed_dim, padding_idx=0)`; `vocab_size` counts id 0 |
# | `lstm` | `nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)` |
# | `fc` | `nn.Linear(proj_size or hidden_size, num_classes)` |
#
# With a projection the LSTM's outputs and `h_n` have `proj_size` entries and its cell state `c_n`
# still has `hidden_size`, which is why `fc` reads `proj_size or hidden_size` inputs.
#
# `forward(ids, lengths)` takes a right-padded `(N, T)` batch and its lengths and returns logits
# `(N, num_classes)`, in the batch's order, computed from each sentence's state after its **last
# real word**. Padding must never enter the LSTM: pack the embedded batch with
# `pack_padded_sequence` (its `lengths` must be a CPU tensor or a list; `enforce_sorted=False`
# spares you sorting, or sort and unsort yourself) and run it as `self.lstm(packed)` — call the
# module, not `self.lstm.forward(...)`, as PyTorch advises: the grader counts the time steps that
# reach the LSTM with a hook, and hooks only run when the module itself is called. Then either
# unpack with `pad_packed_sequence` and use your `last_valid_output`, or use `h_n` — with a
# packed input it *is* that state. Leave `ids` and `lengths` as they are (no in-place changes).
#
# The grader checks, among other things, that each sentence gets the same logits as when it is
# run alone without any padding, that extra padding columns, a shuffled batch or a batch of a
# single sentence change nothing, and that gradients reach the embedding.

# %% nbgrader={"grade": false, "grade_id": "SentimentLSTM", "locked": false, "schema_version": 3, "solution": true}
class SentimentLSTM(nn.Module):
    """Embedding -> packed LSTM (optionally projected) -> linear layer on each last valid state."""

    def __init__(self, vocab_size, embed_dim, hidden_size, num_classes, proj_size=0):
        super().__init__()
        ### BEGIN SOLUTION
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)
        self.fc = nn.Linear(proj_size or hidden_size, num_classes)
        ### END SOLUTION

    def forward(self, ids, lengths):
        """ids (N, T) long, lengths (N,) long -> logits (N, num_classes)."""
        ### BEGIN SOLUTION
        x = self.embed(ids)  # (N, T, D)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n (1, N, P or H), already in the batch's order
        return self.fc(h_n[-1])
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_SentimentLSTM", "locked": true, "points": 4, "schema_version": 3, "solution": false}
import torch
from torch import nn

torch.manual_seed(0)
_model = SentimentLSTM(11, 4, 10, 2, proj_size=5)
assert isinstance(_model.embed, nn.Embedding) and _model.embed.padding_idx == 0, (
    "embed should be nn.Embedding(vocab_size, embed_dim, padding_idx=0)")
assert isinstance(_model.lstm, nn.LSTM) and _model.lstm.batch_first and _model.lstm.proj_size == 5, (
    "lstm should be nn.LSTM(embed_dim, hidden_size, batch_first=True, proj_size=proj_size)")
assert isinstance(_model.fc, nn.Linear) and _model.fc.in_features == 5, (
    "fc should read the LSTM's output: proj_size entries when proj_size > 0")
_ids = torch.tensor([[1, 2, 3, 0], [4, 5, 8, 3], [6, 7, 0, 0]])
_logits = _model(_ids, torch.tensor([3, 4, 2]))
assert tuple(_logits.shape) == (3, 2), f"logits should be (N, num_classes) = (3, 2), got {tuple(_logits.shape)}"
### BEGIN HIDDEN TESTS
import course_lib.torch_nn.packing as _ref_packing
from course_lib.diagnosis import Diagnosis
from course_lib.gradient_probes import parameter_gradients
from course_lib.grading import assert_close, reference_blocked

_d = Diagnosis("a3_packing", "SentimentLSTM")
_blocked = (_ref_packing.last_valid_output, _ref_packing.PackedLSTMClassifier.forward, _ref_packing.final_features,
            _ref_packing.pack_by_hand)
_TOL = dict(rtol=1e-4, atol=1e-5)  # float32, batched against one-by-one: agreement to ~1e-6


def _oracle(model):
    """Fresh torch.nn modules holding a copy of the model's weights (named as in the model)."""
    lstm = model.lstm
    oracle = nn.Module()
    oracle.embed = nn.Embedding(model.embed.num_embeddings, model.embed.embedding_dim)
    oracle.lstm = nn.LSTM(lstm.input_size, lstm.hidden_size, batch_first=True, proj_size=lstm.proj_size)
    oracle.fc = nn.Linear(model.fc.in_features, model.fc.out_features)
    for _name in ("embed", "lstm", "fc"):
        getattr(oracle, _name).load_state_dict(getattr(model, _name).state_dict())
    return oracle


def _oracle_logits(oracle, ids, lengths):
    """Each sentence run alone through the oracle, without padding: (N, C)."""
    return torch.stack([oracle.fc(oracle.lstm(oracle.embed(ids[n, : lengths[n]])[None])[0][0, -1])
                        for n in range(len(ids))])


def _mistaken_logits(oracle, ids, lengths, expected):
    """What a model with one common mistake returns for this batch (to name it when yours does)."""
    order = lengths.argsort(descending=True)

    def alone(n, width, state):
        _, (h_n, c_n) = oracle.lstm(oracle.embed(ids[n, :width])[None])
        return oracle.fc((h_n if state == "h" else c_n)[-1, 0])

    longest, zeros = int(lengths.max()), torch.zeros(oracle.fc.in_features)
    return {
        "returns-log-probabilities": lambda: torch.log_softmax(expected, dim=-1),
        "padding-enters-lstm": lambda: torch.stack([alone(n, ids.shape[1], "h") for n in range(len(ids))]),
        "last-padded-step": lambda: torch.stack([expected[n] if int(lengths[n]) == longest else oracle.fc(zeros)
                                                 for n in range(len(ids))]),
        "order-not-restored": lambda: expected[order],
        "unsort-with-sort-order": lambda: expected[order][order],
        "classifies-from-c-n": lambda: torch.stack([alone(n, int(lengths[n]), "c") for n in range(len(ids))]),
    }


def _steps_fed(model):
    """Count the time steps that reach model.lstm (padding included if it gets in)."""
    seen = []

    def hook(module, args, kwargs):
        x = args[0] if args else kwargs["input"]
        if isinstance(x, torch.nn.utils.rnn.PackedSequence):
            seen.append(int(x.data.shape[0]))
        else:
            seen.append(int(x.shape[0] * x.shape[1]) if x.dim() == 3 else int(x.shape[0]))

    return seen, model.lstm.register_forward_pre_hook(hook, with_kwargs=True)


for _V, _D, _H, _C, _P in ((7, 4, 5, 2, 0), (9, 3, 6, 3, 2)):
    torch.manual_seed(_V)
    _model = SentimentLSTM(_V, _D, _H, _C, proj_size=_P) if _P else SentimentLSTM(_V, _D, _H, _C)
    _F = _P or _H
    # the layout the grader relies on
    assert isinstance(_model.embed, nn.Embedding), "embed should be an nn.Embedding"
    if _model.embed.padding_idx != 0:
        _d.fail("no-padding-idx")
    if tuple(_model.embed.weight.shape) == (_V + 1, _D):
        _d.fail("embedding-size-plus-one")
    assert tuple(_model.embed.weight.shape) == (_V, _D), f"embed.weight should be (V, D) = {(_V, _D)}"
    _lstm = _model.lstm
    if isinstance(_lstm, nn.LSTM) and _P and _lstm.proj_size == 0:
        _d.fail("proj-size-ignored")
    assert isinstance(_lstm, nn.LSTM) and _lstm.batch_first and _lstm.num_layers == 1 and not _lstm.bidirectional
    assert (_lstm.input_size, _lstm.hidden_size, _lstm.proj_size) == (_D, _H, _P), (
        f"lstm should be nn.LSTM({_D}, {_H}, batch_first=True, proj_size={_P}); got input_size={_lstm.input_size}, "
        f"hidden_size={_lstm.hidden_size}, proj_size={_lstm.proj_size}")
    assert isinstance(_model.fc, nn.Linear) and (_model.fc.in_features, _model.fc.out_features) == (_F, _C), (
        f"fc should be nn.Linear({_F}, {_C}) (proj_size or hidden_size inputs)")
    with torch.no_grad():  # proj_size respected: h_n has P entries (or H), c_n always H
        _, (_h_n, _c_n) = _lstm(torch.randn(2, 3, _D))
    assert tuple(_h_n.shape) == (1, 2, _F) and tuple(_c_n.shape) == (1, 2, _H), (
        f"with proj_size={_P}: h_n {tuple(_h_n.shape)}, c_n {tuple(_c_n.shape)}")
    with torch.no_grad():  # weights clearly non-zero, and a non-zero padding vector so any leak shows
        for _p in _model.parameters():
            _p.uniform_(-0.8, 0.8)
    _lengths = torch.tensor([3, 5, 1, 4, 2])
    _g = torch.Generator().manual_seed(5)
    _ids = torch.randint(1, _V, (5, 6), generator=_g)  # one column more than the longest sentence
    _ids[torch.arange(6)[None, :] >= _lengths[:, None]] = 0
    _oracle_model = _oracle(_model)
    with torch.no_grad():
        _expected = _oracle_logits(_oracle_model, _ids, _lengths)
    _seen, _handle = _steps_fed(_model)
    _ids_arg, _lengths_arg = _ids.clone(), _lengths.clone()
    try:
        with reference_blocked(*_blocked):
            _logits = _model(_ids_arg, _lengths_arg)
    finally:
        _handle.remove()
    _d.unchanged("forward", {"ids": _ids_arg, "lengths": _lengths_arg}, {"ids": _ids, "lengths": _lengths})
    assert tuple(_logits.shape) == (5, _C), f"logits should be (N, num_classes) = {(5, _C)}, got {tuple(_logits.shape)}"
    with torch.no_grad():
        _mistaken = _mistaken_logits(_oracle_model, _ids, _lengths, _expected)
        _d.check(_logits, _expected, name=f"logits (against each sentence run alone, unpadded; proj_size={_P})",
                 mistakes=_mistaken, **_TOL)
    if not _seen:  # forward should call self.lstm(...); self.lstm.forward(...) skips the hooks that count steps
        _d.fail("lstm-forward-bypasses-hooks")
    if sum(_seen) != int(_lengths.sum()):
        _d.fail("padding-enters-lstm", f"the LSTM ran {sum(_seen)} time steps for sentences with "
                f"{int(_lengths.sum())} words")
    with reference_blocked(*_blocked):
        _again = _model(_ids.clone(), _lengths.clone())
    if not torch.allclose(_again, _expected, **_TOL):
        _d.fail("state-kept-between-calls", "the same batch twice gave two different results")
    _more = torch.cat([_ids, torch.zeros(5, 4, dtype=torch.long)], dim=1)
    _perm = torch.tensor([3, 0, 4, 2, 1])
    with reference_blocked(*_blocked):
        _logits_more = _model(_more, _lengths.clone())
        _logits_perm = _model(_ids[_perm], _lengths[_perm])
    assert_close(_logits_more, _expected, name="logits after appending 4 more padding columns", **_TOL)
    assert_close(_logits_perm, _expected[_perm], name="logits of the shuffled batch (the order must be kept)", **_TOL)
    with reference_blocked(*_blocked):  # a batch of one sentence (with a padding column) is still (1, C)
        _logits_one = _model(_ids[1:2].clone(), _lengths[1:2].clone())
    if tuple(_logits_one.shape) == (_C,):
        _d.fail("squeezed-batch-of-one")
    assert_close(_logits_one, _expected[1:2], name="logits of a batch of one sentence, shape (1, num_classes)", **_TOL)
    # gradients: the student's model (backward where it runs) against the oracle's, for every weight
    _weights = torch.randn(5, _C, generator=_g)  # d loss / d logits
    with reference_blocked(*_blocked):
        _, _grads = parameter_gradients(_model, (_ids, _lengths), grad_output=_weights)
    _oracle_model.zero_grad()
    (_oracle_logits(_oracle_model, _ids, _lengths) * _weights).sum().backward()
    _missing = [_name for _name, _ in _oracle_model.named_parameters() if _grads.get(_name) is None]
    if any(_name.startswith("lstm.") for _name in _missing):
        _d.fail("logits-detached")
    if "embed.weight" in _missing:
        _d.fail("embedding-frozen")
    for _name, _param in _oracle_model.named_parameters():
        assert _grads.get(_name) is not None, (
            f"no gradient reached {_name}: the logits must stay connected to the model's weights")
        assert_close(_grads[_name], _param.grad, name=f"the gradient of {_name}", **_TOL)
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together — the toy sentiment model (not graded)
#
# With your three functions and your model we can reproduce the seed post's experiment: an
# embedding of size 4, an LSTM with 10 hidden units projected to 5, 1000 epochs of Adam with
# learning rate 0.001 on the twelve sentences, then sentences the model has never seen, made of
# words it knows. The loss should fall below 0.001 and "i am not bad" should come out positive.
# (Skipped while grading; it takes some seconds.)

# %% nbgrader={"grade": false, "grade_id": "toy_model", "locked": true, "schema_version": 3, "solution": false}
from course_lib.grading import in_autograder

if not in_autograder():
    torch.manual_seed(0)
    vocab = build_vocab(SENTENCES)
    ids, lengths = encode_batch(SENTENCES, vocab)
    targets = torch.tensor(TARGETS)
    model = SentimentLSTM(len(vocab) + 1, 4, 10, 2, proj_size=5)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, 1001):
        loss = nn.functional.cross_entropy(model(ids, lengths), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if epoch % 200 == 0:
            print(f"epoch {epoch:4d}  loss {loss.item():.6f}")
    model.eval()
    new = ["i am not bad", "you are not sad", "i feel happy", "you feel sad"]
    with torch.no_grad():
        predicted = model(*encode_batch(new, vocab)).argmax(dim=1)
    for sentence, label in zip(new, predicted.tolist()):
        print(f"{sentence!r:20} -> {'positive' if label == 1 else 'negative'}")
    try:
        encode_batch(["i am terrible"], vocab)
    except KeyError as err:
        print("unknown word:", err)
