'''Prepends bos_id but keeps every target: (B, L + 1).'''
EXPECT = {"shift_right": 0}
MISCONCEPTION = {"shift_right": "shift-keeps-last"}

# %% shift_right
def shift_right(targets, bos_id):
    return torch.cat([torch.full_like(targets[:, :1], bos_id), targets], dim=1)
