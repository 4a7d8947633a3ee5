"""Bug: a NumPy round trip: right values, but no gradient reaches the LSTM."""
EXPECT = {"last_valid_output": 0}
MISCONCEPTION = {"last_valid_output": "result-detached"}

# %% last_valid_output
import numpy as np


def last_valid_output(output, lengths):
    out = output.detach().numpy()
    return torch.from_numpy(out[np.arange(out.shape[0]), lengths.numpy() - 1])
