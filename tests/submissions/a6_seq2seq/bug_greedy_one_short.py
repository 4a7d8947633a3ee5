'''Chooses at most max_len - 1 tokens.'''
EXPECT = {"greedy_decode": 0}
MISCONCEPTION = {"greedy_decode": "greedy-max-len-off-by-one"}

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens, token = [], bos_id
    for _ in range(max_len - 1):
        log_probs, state = step(token, state)
        token = int(log_probs.argmax())
        tokens.append(token)
        if token == eos_id:
            break
    return tokens
