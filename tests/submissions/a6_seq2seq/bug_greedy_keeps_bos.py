'''Returns bos_id as the first token.'''
EXPECT = {"greedy_decode": 0}
MISCONCEPTION = {"greedy_decode": "greedy-keeps-bos"}

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens = [bos_id]
    while len(tokens) - 1 < max_len:
        log_probs, state = step(tokens[-1], state)
        tokens.append(int(log_probs.argmax()))
        if tokens[-1] == eos_id:
            break
    return tokens
