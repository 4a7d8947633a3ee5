'''Feeds every chosen token, eos_id included, before checking whether to stop.'''
EXPECT = {"greedy_decode": 0}
MISCONCEPTION = {"greedy_decode": "greedy-feeds-eos"}

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens = []
    log_probs, state = step(bos_id, state)
    for _ in range(max_len):
        token = int(log_probs.argmax())
        tokens.append(token)
        log_probs, state = step(token, state)
        if token == eos_id:
            break
    return tokens
