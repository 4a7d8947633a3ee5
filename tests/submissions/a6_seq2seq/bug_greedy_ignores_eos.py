'''Never stops at eos_id: always chooses max_len tokens.'''
EXPECT = {"greedy_decode": 0}
MISCONCEPTION = {"greedy_decode": "greedy-ignores-eos"}

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = int(log_probs.argmax())
        tokens.append(token)
    return tokens
