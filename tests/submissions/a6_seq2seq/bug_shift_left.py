'''Shifts the wrong way: the targets one step early, bos_id at the end.'''
EXPECT = {"shift_right": 0}
MISCONCEPTION = {"shift_right": "shift-wrong-direction"}

# %% shift_right
def shift_right(targets, bos_id):
    return torch.cat([targets[:, 1:], torch.full_like(targets[:, :1], bos_id)], dim=1)
