'''Writes bos_id over the first target of a copy instead of moving the targets one step right.'''
EXPECT = {"shift_right": 0}
MISCONCEPTION = {"shift_right": "shift-bos-overwrites-first"}

# %% shift_right
def shift_right(targets, bos_id):
    out = targets.clone()
    out[:, 0] = bos_id
    return out
