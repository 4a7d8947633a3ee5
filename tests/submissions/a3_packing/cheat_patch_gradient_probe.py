"""Cheat: a detached answer, plus a fake gradient probe that differentiates an honest copy instead.

The judge's probe is loaded before the first student cell and refuses to run once the notebook
replaced it, so the gradient check fails (in a plain kernel the fake would be imported)."""
EXPECT = {"last_valid_output": 0, "SentimentLSTM": 0}  # a tampered probe refuses every gradient check

# %% last_valid_output
import course_lib.gradient_probes as _probes

_real_input_gradients = _probes.input_gradients


def last_valid_output(output, lengths):
    return output.detach()[torch.arange(output.shape[0]), lengths - 1]


def _fake_input_gradients(fn, inputs, wrt, grad_output=None):
    def honest(output, lengths):
        return output[torch.arange(output.shape[0]), lengths - 1]

    return _real_input_gradients(honest, inputs, wrt, grad_output)


_probes.input_gradients = _fake_input_gradients
