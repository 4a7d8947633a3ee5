'''Shifts the targets in place and returns them: the caller's targets are changed.'''
EXPECT = {"shift_right": 0}
MISCONCEPTION = {"shift_right": "changed-argument-in-place"}

# %% shift_right
def shift_right(targets, bos_id):
    targets[:, 1:] = targets[:, :-1].clone()
    targets[:, 0] = bos_id
    return targets
