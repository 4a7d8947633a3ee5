'''Builds the bos column with torch.ones(B, 1) * bos_id: torch.cat promotes the result to float.'''
EXPECT = {"shift_right": 0}
MISCONCEPTION = {"shift_right": "shift-not-long"}

# %% shift_right
def shift_right(targets, bos_id):
    return torch.cat([torch.ones(targets.shape[0], 1) * bos_id, targets[:, :-1]], dim=1)
