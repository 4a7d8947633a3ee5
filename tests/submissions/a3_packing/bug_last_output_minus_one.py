"""Bug: output[:, -1], the last padded step, instead of each sequence's last valid step."""
EXPECT = {"last_valid_output": 0}
MISCONCEPTION = {"last_valid_output": "last-padded-step"}

# %% last_valid_output
def last_valid_output(output, lengths):
    return output[:, -1]
