"""Cheat: the LSTM and GRU steps run course_lib's torch twins (LSTMCell, GRUCell) with the weights copied in.

gradient_ratio (the solution's own code) measures the gradient with the submission's LSTM, which is
the blocked reference here, so it fails too: a blocked reference stays blocked for the whole notebook."""
EXPECT = {"gradient_ratio": 0, "lstm_step_forward": 0, "lstm_step_backward": 0, "lstm_forward": 0, "lstm_backward": 0,
          "gru_step_forward": 0}

# %% lstm_step_forward
import torch

from course_lib.torch_nn.gru import GRUCell as _GRUCell
from course_lib.torch_nn.lstm import LSTMCell as _LSTMCell


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    cell = _LSTMCell(Wx.shape[0], h_prev.shape[1]).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(Wx.T))
        cell.weight_hh.copy_(torch.from_numpy(Wh.T))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
        h, c = cell(torch.from_numpy(x), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    return h.numpy(), c.numpy(), (x, h_prev, c_prev, i, f, g, o, np.tanh(c.numpy()), Wx, Wh)

# %% gru_step_forward
def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    cell = _GRUCell(Wx.shape[0], h_prev.shape[1]).double()
    with torch.no_grad():
        for name, value in (("weight_ih", Wx.T), ("weight_hh", Wh.T), ("bias_ih", bx), ("bias_hh", bh)):
            getattr(cell, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
        return cell(torch.from_numpy(x), torch.from_numpy(h_prev)).numpy()
