'''Always passes step the first state, so the decoder forgets what it has read.'''
EXPECT = {"greedy_decode": 0}
MISCONCEPTION = {"greedy_decode": "greedy-state-not-carried"}

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, _ = step(token, state)
        token = int(log_probs.argmax())
        tokens.append(token)
        if token == eos_id:
            break
    return tokens
