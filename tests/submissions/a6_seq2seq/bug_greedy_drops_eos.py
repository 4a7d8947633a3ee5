'''Stops when it chooses eos_id but leaves it out of the result.'''
EXPECT = {"greedy_decode": 0}
MISCONCEPTION = {"greedy_decode": "greedy-drops-eos"}

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens, token = [], bos_id
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = int(log_probs.argmax())
        if token == eos_id:
            break
        tokens.append(token)
    return tokens
