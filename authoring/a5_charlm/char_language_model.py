# %% [markdown]
# # Assignment 5 — A character language model
#
# You will build the pieces of a character-level LSTM language model in PyTorch: the vocabulary,
# the training windows, temperature sampling, the model itself, the generation loop that feeds
# the model its own output, and the training step that carries the LSTM's state along a long
# text. At the end, your pieces train on Shakespeare.
#
# Read first: chapter 7, *Character language models*.
#
# **How to work.** Replace each `raise NotImplementedError()` with your code; keep the function
# names and signatures. Run the cell below each exercise: it holds quick visible checks. More
# checks run when your notebook is graded, so make your code correct, not just the visible
# checks green. Before you submit, restart the kernel and run all cells, or press **Validate**.
#
# **Shapes.** `B` batch, `T` time steps, `E` embedding size, `H` hidden size, `V` vocabulary,
# `L` the length of a text. Character ids are `torch.long` tensors.
#
# You may use PyTorch freely. Do not call `course_lib`'s reference solutions: the grader checks
# that the work is yours.

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import torch
from torch import nn

torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1 — the vocabulary (1 point)
#
# `build_char_vocab(text)` returns `(stoi, itos)`: `itos` is the list of the distinct characters
# of `text` in **sorted** order (Python's `sorted`, i.e. by code point), and `stoi` the dict that
# maps each character to its position in `itos`, so `stoi[itos[i]] == i`. Sorting makes the ids
# independent of where a character first appears.

# %% nbgrader={"grade": false, "grade_id": "build_char_vocab", "locked": false, "schema_version": 3, "solution": true}
def build_char_vocab(text):
    """text (str) -> stoi (dict str -> int), itos (list of str), sorted."""
    ### BEGIN SOLUTION
    itos = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(itos)}
    return stoi, itos
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_build_char_vocab", "locked": true, "points": 1, "schema_version": 3, "solution": false}
_stoi, _itos = build_char_vocab("hello")
assert list(_itos) == ["e", "h", "l", "o"], f"itos for 'hello' should be ['e', 'h', 'l', 'o'], got {_itos}"
assert _stoi == {"e": 0, "h": 1, "l": 2, "o": 3}, f"stoi for 'hello' should be {{'e': 0, 'h': 1, 'l': 2, 'o': 3}}, got {_stoi}"
### BEGIN HIDDEN TESTS
import course_lib.training.char_lm as _ref
from course_lib.grading import reference_blocked

# the second text has characters (tab, newline, carriage return) only at its ends: every character counts
for _text in ("형식은, 아뿔싸! What? 善馨 1917\n“점심은 먹었는걸.” zebra apple", "\tZebra b\u00e9ta \u00c9TA\n\r"):
    with reference_blocked(_ref.build_char_vocab):
        _stoi, _itos = build_char_vocab(_text)
    assert isinstance(_itos, list), f"itos should be a list, got {type(_itos).__name__}"
    assert _itos == sorted(set(_text)), "itos should hold every distinct character of the text once, in sorted order"
    assert isinstance(_stoi, dict) and len(_stoi) == len(_itos), "stoi should be a dict with one entry per character"
    assert all(_stoi[_ch] == _i for _i, _ch in enumerate(_itos)), "stoi[itos[i]] should be i for every i"
    assert "".join(_itos[_stoi[_ch]] for _ch in _text) == _text, "encoding then decoding should give the text back"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2 — training windows (2 points)
#
# A language model learns to predict each character from the ones before it. Cut the encoded
# text `ids` (a `(L,)` long tensor) into `M = (L - 1) // seq_len` consecutive, **non-overlapping**
# windows from the start: `X[m] = ids[m*seq_len : (m+1)*seq_len]`, and the targets `Y[m]` are the
# same window moved **one step ahead**, `ids[m*seq_len + 1 : (m+1)*seq_len + 1]`. (Why `L - 1`?
# The last window needs one more character for its last target.) Both are `(M, seq_len)` long
# tensors.

# %% nbgrader={"grade": false, "grade_id": "make_sequences", "locked": false, "schema_version": 3, "solution": true}
def make_sequences(ids, seq_len):
    """ids (L,) long -> X (M, seq_len), Y (M, seq_len) with M = (L - 1) // seq_len."""
    ### BEGIN SOLUTION
    M = (len(ids) - 1) // seq_len
    X = ids[: M * seq_len].reshape(M, seq_len)
    Y = ids[1 : M * seq_len + 1].reshape(M, seq_len)
    return X, Y
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_make_sequences", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch

_X, _Y = make_sequences(torch.arange(10), 3)
assert tuple(_X.shape) == (3, 3), f"10 ids with seq_len 3 give M = (10 - 1) // 3 = 3 windows; X has shape {tuple(_X.shape)}"
assert _X.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]], f"X should be [[0, 1, 2], [3, 4, 5], [6, 7, 8]], got {_X.tolist()}"
assert _Y.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]], f"Y should be X one step ahead, got {_Y.tolist()}"
### BEGIN HIDDEN TESTS
import course_lib.training.char_lm as _ref
from course_lib.grading import reference_blocked

_g = torch.Generator().manual_seed(12)
for _L, _T in ((36, 5), (35, 5), (37, 5), (8, 7), (50, 1)):
    _ids = torch.randint(0, 30, (_L,), generator=_g)
    _M = (_L - 1) // _T
    with reference_blocked(_ref.make_sequences):
        _X, _Y = make_sequences(_ids.clone(), _T)
    for _name, _got in (("X", _X), ("Y", _Y)):
        assert isinstance(_got, torch.Tensor) and _got.dtype == torch.long, f"{_name} should be a long tensor"
        assert tuple(_got.shape) == (_M, _T), (
            f"with L = {_L}, seq_len = {_T}: {_name} should have shape (M, seq_len) = {(_M, _T)}, got {tuple(_got.shape)}")
    for _m in range(_M):
        assert torch.equal(_X[_m], _ids[_m * _T:(_m + 1) * _T]), f"X[{_m}] should be ids[{_m * _T}:{(_m + 1) * _T}] (L = {_L}, seq_len = {_T})"
        assert torch.equal(_Y[_m], _ids[_m * _T + 1:(_m + 1) * _T + 1]), f"Y[{_m}] should be X[{_m}] moved one step ahead"
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3 — sampling with a temperature (2 points)
#
# Given the logits `(V,)` of the next character, draw one id from
#
# $$p_i = \frac{\exp(z_i / \tau)}{\sum_j \exp(z_j / \tau)}$$
#
# with `torch.multinomial(probs, 1, generator=generator)` and return it as a Python `int`. A low
# temperature $\tau$ sharpens the distribution, a high one flattens it. `temperature == 0` means
# "always the most likely character": return the argmax without drawing. A negative temperature
# makes no sense: raise `ValueError`. Pass `generator` on, so that the same seed gives the same
# draws.

# %% nbgrader={"grade": false, "grade_id": "sample_next", "locked": false, "schema_version": 3, "solution": true}
def sample_next(logits, temperature, generator=None):
    """logits (V,), temperature >= 0 -> one character id (int)."""
    ### BEGIN SOLUTION
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_sample_next", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch

_logits = torch.tensor([0.5, 3.0, -1.0, 1.0])
_got = sample_next(_logits, 0)
assert isinstance(_got, int) and _got == 1, f"temperature 0 should return the argmax 1 as an int, got {_got!r}"
_got = sample_next(_logits, 1.0, generator=torch.Generator().manual_seed(0))
assert isinstance(_got, int) and 0 <= _got < 4, f"sample_next should return an int id in [0, 4), got {_got!r}"
try:
    sample_next(_logits, -1.0)
except ValueError:
    pass
else:
    raise AssertionError("a negative temperature should raise ValueError")
### BEGIN HIDDEN TESTS
import torch

import course_lib.torch_nn.char_lm as _ref
from course_lib.grading import reference_blocked

_logits = torch.randn(12, generator=torch.Generator().manual_seed(3)) * 2
_before = _logits.clone()
# 0.01 (chapter 7 asks about it): logits / 0.01 reach ~250, so exp without subtracting the maximum
# overflows float32 (to inf, and the probabilities to nan). float64 logits: the same draws as
# float32 (multinomial's draws do not depend on the dtype of the probabilities; the oracle uses the
# logits' own dtype).
for _tau, _dtype in ((0.5, torch.float32), (1.0, torch.float32), (2.0, torch.float32), (0.01, torch.float32),
                     (1.0, torch.float64)):
    _z = _logits.to(_dtype)
    _g_student, _g_oracle = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    _probs = torch.softmax(_z / _tau, dim=-1)
    _expected = [int(torch.multinomial(_probs, 1, generator=_g_oracle)) for _ in range(40)]
    _got = []
    with reference_blocked(_ref.sample_next, _ref.generate):
        for _i in range(40):
            torch.manual_seed(1000 + _i)  # the global generator must not be the one that draws
            _got.append(sample_next(_z, _tau, generator=_g_student))
    assert all(isinstance(_v, int) for _v in _got), "sample_next should return Python ints"
    assert _got == _expected, (
        f"at temperature {_tau} ({_dtype} logits), 40 draws with a generator seeded 7 differ from "
        f"torch.multinomial(softmax(logits / temperature), 1, generator=...) with the same seed: "
        f"got {_got[:10]}..., expected {_expected[:10]}...")
assert torch.equal(_logits, _before), "sample_next changed the logits in place"
with reference_blocked(_ref.sample_next, _ref.generate):
    _g = torch.Generator().manual_seed(1)
    _g_state = _g.get_state()
    _got = sample_next(_logits.double(), 0.0, generator=_g)
    assert _got == int(_logits.argmax()), "temperature 0 should give the argmax"
    assert torch.equal(_g.get_state(), _g_state), "temperature 0 should return the argmax without drawing from the generator"
    # without a generator, the draws come from torch's global one: with 12 equally likely ids, 40
    # equal draws in a row (chance 12 * 12**-40) mean a fresh, identically seeded generator per call
    _flat = [sample_next(torch.zeros(12), 1.0) for _ in range(40)]
    assert all(isinstance(_v, int) and 0 <= _v < 12 for _v in _flat), "sample_next should return an int id in [0, V)"
    assert len(set(_flat)) > 1, (
        "with generator=None, 40 draws from 12 equally likely ids were all the same: pass generator=None on to "
        "torch.multinomial (the global generator) rather than making a new generator at each call")
    for _bad in (-0.5, -2.0):
        try:
            sample_next(_logits, _bad)
        except ValueError:
            pass
        else:
            raise AssertionError(f"temperature {_bad} should raise ValueError")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4 — the model (2 points)
#
# `CharLSTM(vocab_size, embed_dim, hidden_size, num_layers=1)` has three parts, with these
# attribute names:
#
# - `embed`: `nn.Embedding(vocab_size, embed_dim)`, ids to vectors;
# - `lstm`: `nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)`;
# - `head`: `nn.Linear(..., vocab_size)`, from the LSTM's output at each step to the logits of
#   the next character.
#
# `forward(x, state=None)` takes ids `x` of shape `(B, T)` and an optional LSTM state `(h, c)`
# (each `(num_layers, B, H)`; `None` means zeros) and returns `(logits, state)`: logits
# `(B, T, V)` and the LSTM's final state, so that the next call can continue where this one
# stopped.

# %% nbgrader={"grade": false, "grade_id": "CharLSTM", "locked": false, "schema_version": 3, "solution": true}
class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden_size, num_layers=1):
        super().__init__()
        ### BEGIN SOLUTION
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)
        ### END SOLUTION

    def forward(self, x, state=None):
        """x (B, T) long, state (h, c) or None -> logits (B, T, V), state (h, c)."""
        ### BEGIN SOLUTION
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state
        ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_CharLSTM", "locked": true, "points": 2, "schema_version": 3, "solution": false}
import torch

torch.manual_seed(0)
_model = CharLSTM(10, 4, 6)
_logits, (_h, _c) = _model(torch.randint(0, 10, (3, 5)))
assert tuple(_logits.shape) == (3, 5, 10), f"logits should have shape (B, T, V) = (3, 5, 10), got {tuple(_logits.shape)}"
assert tuple(_h.shape) == tuple(_c.shape) == (1, 3, 6), (
    f"h and c should have shape (num_layers, B, H) = (1, 3, 6), got {tuple(_h.shape)} and {tuple(_c.shape)}")
### BEGIN HIDDEN TESTS
import torch
import torch.nn.functional as F
from torch import nn

import course_lib.torch_nn.char_lm as _ref
from course_lib.grading import reference_blocked

for _layers in (1, 2):
    torch.manual_seed(10 + _layers)
    _V, _E, _H, _B, _T = 11, 3, 7, 2, 6
    with reference_blocked(_ref.CharLSTM.forward):
        _model = CharLSTM(_V, _E, _H, num_layers=_layers)
        assert isinstance(_model.embed, nn.Embedding) and tuple(_model.embed.weight.shape) == (_V, _E), \
            "embed should be nn.Embedding(vocab_size, embed_dim)"
        assert isinstance(_model.lstm, nn.LSTM) and _model.lstm.batch_first, "lstm should be an nn.LSTM with batch_first=True"
        assert (_model.lstm.input_size, _model.lstm.hidden_size, _model.lstm.num_layers) == (_E, _H, _layers), \
            "lstm should be nn.LSTM(embed_dim, hidden_size, num_layers, batch_first=True)"
        assert isinstance(_model.head, nn.Linear) and (_model.head.in_features, _model.head.out_features) == (_H, _V), \
            f"head reads the LSTM's hidden state: nn.Linear(hidden_size={_H}, vocab_size={_V}), got " \
            f"({getattr(_model.head, 'in_features', '?')}, {getattr(_model.head, 'out_features', '?')})"
        _x = torch.randint(0, _V, (_B, _T))
        _logits, _state = _model(_x)
        _first, _mid = _model(_x[:, :2])
        _rest, _end = _model(_x[:, 2:], _mid)
    # oracle: torch.nn.LSTM with the student's weights copied, embedding and head by hand
    _oracle = nn.LSTM(_E, _H, _layers, batch_first=True)
    _oracle.load_state_dict(_model.lstm.state_dict())
    _embed, _head = _model.embed.state_dict(), _model.head.state_dict()
    _out, (_h, _c) = _oracle(F.embedding(_x, _embed["weight"]))
    _expected = _out @ _head["weight"].T + _head["bias"]
    assert tuple(_logits.shape) == (_B, _T, _V), f"logits should have shape (B, T, V) = {(_B, _T, _V)}"
    torch.testing.assert_close(_logits, _expected, msg="logits differ from embed -> nn.LSTM -> head with your weights")
    assert len(_state) == 2, "return the LSTM state as (h, c)"
    torch.testing.assert_close(_state[0], _h, msg="the returned h should be the LSTM's final hidden state")
    torch.testing.assert_close(_state[1], _c, msg="the returned c should be the LSTM's final cell state")
    torch.testing.assert_close(torch.cat([_first, _rest], dim=1), _logits,
                               msg="forward(x[:, 2:], state) should continue forward(x[:, :2]) exactly")
    torch.testing.assert_close(_end[0], _h, msg="the state after two calls should equal the state after one")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5 — generating text (3 points)
#
# `generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None)` returns the
# prompt followed by exactly `length` new characters. Feed the **whole prompt once** as a
# `(1, len(prompt))` batch; then, `length` times, pick the next character with your
# `sample_next` from the logits at the **last** position, append it, and feed **only that one
# character** `(1, 1)` together with the state the model just returned. The state carries the
# context: the model never re-reads the text. Wrap the loop in `torch.no_grad()`.

# %% nbgrader={"grade": false, "grade_id": "generate", "locked": false, "schema_version": 3, "solution": true}
def generate(model, stoi, itos, prompt, length, temperature=1.0, generator=None):
    """-> prompt + `length` sampled characters (str)."""
    ### BEGIN SOLUTION
    out = list(prompt)
    with torch.no_grad():
        x = torch.tensor([[stoi[ch] for ch in prompt]], dtype=torch.long)
        logits, state = model(x)
        for i in range(length):
            idx = sample_next(logits[0, -1], temperature, generator)
            out.append(itos[idx])
            if i + 1 < length:
                logits, state = model(torch.tensor([[idx]], dtype=torch.long), state)
    return "".join(out)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_generate", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import torch
from torch import nn


class _TinyLM(nn.Module):
    """A stand-in model (not your CharLSTM), so that this check tests generate alone."""

    def __init__(self, V):
        super().__init__()
        self.embed, self.lstm, self.head = nn.Embedding(V, 4), nn.LSTM(4, 8, batch_first=True), nn.Linear(8, V)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


torch.manual_seed(0)
_itos = list(" hiel")
_stoi = {ch: i for i, ch in enumerate(_itos)}
_model = _TinyLM(len(_itos))
_text = generate(_model, _stoi, _itos, "hi", 6, temperature=1.0, generator=torch.Generator().manual_seed(0))
assert isinstance(_text, str) and len(_text) == 8 and _text.startswith("hi"), (
    f"generate(..., 'hi', 6) should return 'hi' plus 6 characters, got {_text!r}")
### BEGIN HIDDEN TESTS
import torch
from torch import nn

import course_lib.torch_nn.char_lm as _ref
from course_lib.grading import reference_blocked


class _Recorder(nn.Module):
    """A real embedding + LSTM + head that records every call: its input and the state it got."""

    def __init__(self, V):
        super().__init__()
        self.embed, self.lstm, self.head = nn.Embedding(V, 3), nn.LSTM(3, 5, batch_first=True), nn.Linear(5, V)
        self.calls, self.returned, self.grad_enabled = [], [], []

    def forward(self, x, state=None):
        assert x.dim() == 2 and x.shape[0] == 1, f"generate should feed a (1, T) batch, got shape {tuple(x.shape)}"
        self.grad_enabled.append(torch.is_grad_enabled())  # generate's own grad mode (no_grad: False)
        self.calls.append((x.detach().clone(), None if state is None else tuple(s.detach().clone() for s in state)))
        out, state = self.lstm(self.embed(x), state)
        self.returned.append(tuple(s.detach().clone() for s in state))
        return self.head(out), state

    def oracle_last_logits(self, ids):
        """The next-character logits after reading `ids` from scratch, in one pass."""
        with torch.no_grad():
            out, _ = self.lstm(self.embed(torch.tensor([ids])))
            return self.head(out)[0, -1]


_SCRIPT = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3]  # what the stand-in sampler returns
_recorded = []


def _scripted_sampler(*args, **kwargs):
    """Stands in for the notebook's sample_next: records its arguments, draws one number from the
    generator it is given (as a real sampler would), returns the script. Your generate may call it
    by position or by your own parameter names: the logits are the tensor, the temperature the
    number and the generator the torch.Generator among the arguments."""
    _values = [*args, *kwargs.values()]
    generator = next((_v for _v in _values if isinstance(_v, torch.Generator)), None)
    _rest = [_v for _v in _values if _v is not None and not isinstance(_v, torch.Generator)]
    _tensors = [_v for _v in _rest if isinstance(_v, torch.Tensor) and _v.dim() > 0]
    if len(_rest) != 2 or len(_tensors) != 1:
        raise TypeError("sample_next takes the logits (V,), the temperature and optionally a generator")
    logits = _tensors[0]
    temperature = next(_v for _v in _rest if _v is not logits)
    _draw = torch.randint(0, 2**31, (1,), generator=generator).item() if generator is not None else None
    _recorded.append((torch.as_tensor(logits).detach().reshape(-1).clone(), temperature, _draw))
    return _SCRIPT[len(_recorded) - 1] % 10


_itos = list("abcdefghij")
_stoi = {ch: i for i, ch in enumerate(_itos)}
_student_sample_next = sample_next
for _prompt, _length, _tau in (("cab", 7, 0.8), ("j", 12, 1.3), ("hi", 1, 0.5), ("fed", 0, 1.0)):
    torch.manual_seed(len(_prompt) + _length)
    _model = _Recorder(10)
    _gen = torch.Generator().manual_seed(1)
    _recorded.clear()
    sample_next = _scripted_sampler  # generate must look sample_next up and use it
    try:
        with reference_blocked(_ref.sample_next, _ref.generate, _ref.CharLSTM.forward):
            _out = generate(_model, _stoi, _itos, _prompt, _length, temperature=_tau, generator=_gen)
    finally:
        sample_next = _student_sample_next
    _new = [_SCRIPT[i] % 10 for i in range(_length)]
    _expected = _prompt + "".join(_itos[i] for i in _new)
    assert isinstance(_out, str), f"generate should return a str, got {type(_out).__name__}"
    assert _out == _expected, (
        f"generate(prompt={_prompt!r}, length={_length}) returned {_out!r}; with sample_next returning the ids "
        f"{_new} it should return the prompt followed by those characters: {_expected!r}")
    assert len(_recorded) == _length, f"generate should call sample_next once per new character ({_length}), called {len(_recorded)}"
    # the caller's generator itself must reach sample_next (not None, not a copy): its draws come
    # from one stream, and afterwards it has advanced by one draw per character
    _stream = torch.Generator().manual_seed(1)
    _draws = [torch.randint(0, 2**31, (1,), generator=_stream).item() for _ in range(_length)]
    assert [_d for _, _, _d in _recorded] == _draws and torch.equal(_gen.get_state(), _stream.get_state()), (
        "pass the generator you were given on to sample_next (the same object, not None or a copy)")
    for _i, (_logits, _t, _) in enumerate(_recorded):
        assert _t == _tau, "pass temperature on to sample_next"
        _want = _model.oracle_last_logits([_stoi[c] for c in _prompt] + _new[:_i])
        torch.testing.assert_close(_logits, _want, msg=(
            f"the logits given to sample_next for character {_i} are not the model's prediction after the prompt and "
            f"the {_i} characters before it (use the last position's logits and carry the state)"))
    assert not any(_model.grad_enabled), (
        "generate should call the model under torch.no_grad(): sampling needs no autograd graph")
    if _length == 0:
        continue
    _first_x, _first_state = _model.calls[0]
    assert _first_x[0].tolist() == [_stoi[c] for c in _prompt], "the first call should feed the whole prompt, (1, len(prompt))"
    assert _first_state is None or all(float(s.abs().max()) == 0 for s in _first_state), "start from a zero state (None)"
    assert len(_model.calls) in (_length, _length + 1), (
        f"after the prompt, feed one character per step: expected {_length} or {_length + 1} calls, got {len(_model.calls)}")
    for _k in range(1, len(_model.calls)):
        _x, _state = _model.calls[_k]
        assert _x.tolist() == [[_new[_k - 1]]], f"call {_k} should feed only the character just sampled, as a (1, 1) batch"
        assert _state is not None and all(torch.equal(a, b) for a, b in zip(_state, _model.returned[_k - 1])), (
            f"call {_k} should pass the state returned by the previous call")
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 6 — one training step of truncated backpropagation through time (3 points)
#
# A text of a million characters does not fit through an LSTM in one backward pass. Chapter 7
# lays it out as `B` **streams** side by side (`B` slices of the text, one per row) and reads
# them `T` characters at a time: chunk `k` of row `b` continues exactly where chunk `k - 1` of
# that row stopped. So the LSTM state `(h, c)` at the end of one chunk is the right state to
# start the next one from, and **carrying it** lets the model use context longer than `T`.
# The gradient, though, is cut at every chunk boundary:
#
# ```text
#               chunk k-1                       chunk k                chunk k+1
#  ... ──► LSTM ► LSTM ► LSTM ──(h, c)──► LSTM ► LSTM ► LSTM ──(h, c)──► LSTM ► ...
#                                  │                              │
#                               detach                         detach
#  forward:  ──────────────────────────────────────────────────────────────────────►  the values flow on
#  backward: ◄──────────────────── ✕ ◄─────────────────────────── ✕ ◄───────────────   the gradient stops at ✕
# ```
#
# This is **truncated BPTT**: the forward pass sees the whole past through the state, the
# backward pass only the last `T` steps. `state.detach()` keeps the *values* and drops the
# computation graph behind them. Without it, the state of chunk `k - 1` still hangs on chunk
# `k - 1`'s graph, and chunk `k`'s `backward()` runs into it: PyTorch freed that graph in the
# previous `backward()` ("Trying to backward through the graph a second time"), and if it had
# not, every step would reach further back, to the start of the text, and cost more than the
# last.
#
# Write `train_step(model, optimizer, x, y, state=None, clip_norm=1.0)`, one such step on the
# chunk `x` `(B, T)` with targets `y` `(B, T)` (`y[:, t]` is the character after `x[:, t]`):
#
# 1. detach the incoming `state` (`None`, or a pair `(h, c)`: detach both), so that no gradient
#    reaches earlier chunks;
# 2. run the model on `x` from that state: it returns the logits `(B, T, V)` and the new state;
# 3. the loss: the **mean** cross-entropy over all `B·T` positions
#    (`nn.functional.cross_entropy` takes logits `(N, V)` and targets `(N,)`: reshape);
# 4. zero the gradients (`optimizer.zero_grad()`) **before** `loss.backward()`: `backward()`
#    *adds* to `.grad`;
# 5. `loss.backward()`;
# 6. clip the gradient's global norm to `clip_norm` with `torch.nn.utils.clip_grad_norm_`,
#    chapter 3's gradient clipping, **between** `backward()` and `optimizer.step()` (afterwards
#    is too late);
# 7. `optimizer.step()`;
# 8. return the loss as a Python `float` (`loss.item()`) and the new state, for the next call.
#
# The grader lets your function train a small model of its own (not your `CharLSTM`) for a
# few consecutive chunks, each call given the state the call before returned, with plain SGD,
# clipping that acts and clipping that does not, and compares every returned loss and state
# and the parameters after every call with the same steps written out.

# %% nbgrader={"grade": false, "grade_id": "train_step", "locked": false, "schema_version": 3, "solution": true}
def train_step(model, optimizer, x, y, state=None, clip_norm=1.0):
    """x, y (B, T) long; state (h, c) or None -> (loss as a float, new state (h, c))."""
    ### BEGIN SOLUTION
    if state is not None:
        state = tuple(s.detach() for s in state)
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
    optimizer.step()
    return loss.item(), state
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_step", "locked": true, "points": 3, "schema_version": 3, "solution": false}
import torch
from torch import nn
from torch.nn import functional as F

from course_lib.gradient_probes import training_steps


class _TinyLM(nn.Module):
    """A stand-in model (not your CharLSTM), so that this check tests train_step alone."""

    def __init__(self, V, layers=1):
        super().__init__()
        self.embed, self.head = nn.Embedding(V, 4), nn.Linear(16, V)
        self.lstm = nn.LSTM(4, 16, layers, batch_first=True)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


# training_steps calls train_step(model, optimizer, x, y, state=...) on a copy of _model once per
# batch, carrying the state each call returns, and reports each returned loss and state and the
# parameters after each call (under the grader your code runs apart from these checks)
torch.manual_seed(0)
_model = _TinyLM(6)
_g = torch.Generator().manual_seed(0)
_batches = [(torch.randint(0, 6, (3, 5), generator=_g), torch.randint(0, 6, (3, 5), generator=_g)) for _ in range(2)]
_losses, _states, _params = training_steps(train_step, _model.state_dict(), {"name": "SGD", "lr": 0.5}, _batches)
with torch.no_grad():
    _logits, _ = _model(_batches[0][0])
    _first = F.cross_entropy(_logits.reshape(-1, 6), _batches[0][1].reshape(-1)).item()
assert all(isinstance(_loss, float) for _loss in _losses), (
    f"train_step should return the loss as a Python float (loss.item()), got {type(_losses[0]).__name__}")
assert abs(_losses[0] - _first) < 1e-4, (
    f"the first loss should be the mean cross-entropy of the model's predictions before the step, {_first:.4f}; "
    f"got {_losses[0]:.4f}")
assert isinstance(_states[0], tuple) and len(_states[0]) == 2 and tuple(_states[0][0].shape) == (1, 3, 16), (
    "return the new state (h, c) that model(x, state) gave, each (num_layers, B, H) = (1, 3, 16)")
assert not torch.equal(_params[0]["head.bias"], _model.state_dict()["head.bias"]), (
    "the parameters did not change: call optimizer.step()")
### BEGIN HIDDEN TESTS
import copy

import torch
from torch import nn
from torch.nn import functional as F

import course_lib.training.char_lm as _ref
from course_lib.gradient_probes import training_steps
from course_lib.grading import reference_blocked


def _by_hand(model, lr, batches, clip_norm, warmup):
    """The oracle: the same SGD steps written out on a copy of the model (detach the incoming
    state, forward, mean cross-entropy, zero_grad, backward, clip, step), and the gradient's
    norm before each clipping."""
    model = copy.deepcopy(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    state = None
    if warmup is not None:
        with torch.no_grad():
            _, state = model(warmup)
    losses, states, params, norms = [], [], [], []
    for x, y in batches:
        if state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), clip_norm)))
        optimizer.step()
        losses.append(loss.item())
        states.append(tuple(s.detach().clone() for s in state))
        params.append({name: p.detach().clone() for name, p in model.named_parameters()})
    return losses, states, params, norms


_LR = 0.5  # plain SGD: a gradient twice as large moves the parameters twice as far
_g = torch.Generator().manual_seed(5)
# (what the case checks, LSTM layers, clip_norm or None for the default (not passed), whether
#  clipping acts, warmup ids: the first call's state then still hangs on a graph and the
#  gradients are stale). A summed loss shows in the parameters only where clipping does not act.
_CASES = [
    ("the default clip_norm (1.0), clipping active", 1, None, True, None),
    ("clip_norm=0.05, clipping active", 1, 0.05, True, None),
    ("clip_norm=100 (clipping inactive), 2 layers, an incoming state still attached to a graph "
     "and stale gradients", 2, 100.0, False, torch.randint(0, 6, (3, 4), generator=_g)),
]
for _what, _layers, _clip, _active, _warmup in _CASES:
    torch.manual_seed(10 + _layers)
    _model = _TinyLM(6, _layers)
    _max_norm = 1.0 if _clip is None else _clip
    if _clip is None:  # larger weights and one target character per batch: a gradient norm above 1
        with torch.no_grad():
            for _p in _model.parameters():
                _p.mul_(3.0)
    _chunks = [(torch.randint(0, 6, (3, 5), generator=_g),
                 torch.full((3, 5), _k) if _clip is None else torch.randint(0, 6, (3, 5), generator=_g))
                for _k in range(3)]
    _exp_losses, _exp_states, _exp_params, _norms = _by_hand(_model, _LR, _chunks, _max_norm, _warmup)
    assert all((_n > 1.1 * _max_norm) if _active else (_n < _max_norm) for _n in _norms), (
        f"the grader's own case is broken: clipping should {'' if _active else 'not '}act in every step")
    with reference_blocked(_ref.train_step):
        _losses, _states, _params = training_steps(train_step, _model.state_dict(), {"name": "SGD", "lr": _LR}, _chunks,
                                                   {} if _clip is None else {"clip_norm": _clip}, _warmup)
    for _k in range(len(_chunks)):
        _where = f"{_what}, call {_k + 1} of {len(_chunks)}"
        assert isinstance(_losses[_k], float), f"{_where}: return the loss as a Python float (loss.item())"
        torch.testing.assert_close(torch.tensor(float(_losses[_k])), torch.tensor(_exp_losses[_k]), msg=(
            f"{_where}: the returned loss should be the mean cross-entropy over all B·T positions, computed from "
            "the state the call was given"))
        assert isinstance(_states[_k], tuple) and len(_states[_k]) == 2, f"{_where}: return the new state as (h, c)"
        for _got, _want, _part in zip(_states[_k], _exp_states[_k], "hc"):
            torch.testing.assert_close(_got, _want, msg=(
                f"{_where}: the returned {_part} should be the one model(x, state) returned in this call"))
        for _name, _want in _exp_params[_k].items():
            torch.testing.assert_close(_params[_k][_name], _want, msg=(
                f"{_where}: {_name} after the step differs from one SGD step on the gradient of the mean "
                "cross-entropy, with the incoming state detached, the gradients zeroed before backward() and "
                "clipped to clip_norm between backward() and step()"))
### END HIDDEN TESTS

# %% [markdown]
# ## Putting it together — " if you want you" (not graded)
#
# Chapter 2 trained a tiny RNN to spell " if you want you"; here your own pieces do it with an
# LSTM. The text is one window, so `make_sequences` returns a single `(1, 15)` example; after a
# few dozen Adam steps the model has memorised it, and greedy generation (temperature 0) from
# " if" spells the rest.

# %% nbgrader={"grade": false, "grade_id": "if_you_want_you", "locked": true, "schema_version": 3, "solution": false}
sentence = " if you want you"
stoi, itos = build_char_vocab(sentence)
ids = torch.tensor([stoi[ch] for ch in sentence])
X, Y = make_sequences(ids, len(sentence) - 1)
model = CharLSTM(len(itos), 8, 32)  # embedding size 8, hidden size 32
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)  # large: one short text, memorised fast
for step in range(80):  # a fraction of a second on a CPU
    logits, _ = model(X)
    loss = nn.functional.cross_entropy(logits.reshape(-1, len(itos)), Y.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"loss after {step + 1} steps: {loss.item():.4f}")
print(repr(generate(model, stoi, itos, " if", len(sentence) - 3, temperature=0)))

# %% [markdown]
# ## Training on a real text (not graded)
#
# Now your pieces train on Tiny Shakespeare, the way chapter 7 trains its model: the text is
# laid out as 32 streams side by side (`batchify`), read 64 characters at a time (`chunks`),
# and your `train_step` carries the state from each chunk to the next. 500 steps of a small
# `CharLSTM` take about ten seconds of one CPU core: far from chapter 7's model, but the loss
# falls well below $\ln V$ (a uniform guess) and the samples pick up words, line breaks and
# speakers' names. (This cell does nothing while the notebook is graded or validated.)

# %% nbgrader={"grade": false, "grade_id": "train_on_shakespeare", "locked": true, "schema_version": 3, "solution": false}
import math

from course_lib.training.char_lm import batchify, chunks
from course_lib.data.corpora import load_text
from course_lib.grading import in_autograder

STEPS = 500  # 500 chunks of 32 x 64 characters: the first ~60% of each stream, read once

if not in_autograder():
    import matplotlib.pyplot as plt

    # one thread: for an LSTM this small a second thread gains little, and on a busy machine
    # two threads per process can be many times slower than one (as in chapter 7)
    torch.set_num_threads(1)
    shakespeare = load_text("tinyshakespeare")
    stoi, itos = build_char_vocab(shakespeare)
    streams = batchify(torch.tensor([stoi[ch] for ch in shakespeare]), 32)  # (32, L // 32)
    torch.manual_seed(0)
    model = CharLSTM(len(itos), 32, 128)  # embedding size 32, hidden size 128
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)  # large for Adam: a short run
    losses, state = [], None
    for step, (x, y) in zip(range(STEPS), chunks(streams, 64)):
        loss, state = train_step(model, optimizer, x, y, state=state)
        losses.append(loss)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(losses, label="training loss")
    ax.axhline(math.log(len(itos)), linestyle="--", color="gray", label=f"uniform guess, ln {len(itos)}")
    ax.set_xlabel("step")
    ax.set_ylabel("nats per character")
    ax.legend()
    plt.show()
    print(generate(model, stoi, itos, "ROMEO:", 300, temperature=0.8, generator=torch.Generator().manual_seed(0)))
