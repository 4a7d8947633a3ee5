'''Correct, written with explicit loops: attention row by row with a stable softmax over the real
positions, shift_right by torch.cat, the loss from F.cross_entropy with ignore_index, greedy with a
while loop, beam search over plain Python lists with sorted().'''

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    B, S, H = keys.shape
    contexts, all_weights = [], []
    for b in range(B):
        scores = torch.tanh(query[b] @ W_q + keys[b] @ W_k) @ v           # (S,)
        real = torch.ones(S, dtype=torch.bool) if mask is None else mask[b]
        shifted = scores - scores[real].max()
        e = torch.where(real, torch.exp(shifted), torch.zeros_like(shifted))
        w = e / e.sum()
        all_weights.append(w)
        contexts.append((w[:, None] * keys[b]).sum(0))
    return torch.stack(contexts), torch.stack(all_weights)

# %% shift_right
def shift_right(targets, bos_id):
    first = torch.full((targets.shape[0], 1), bos_id, dtype=targets.dtype)
    return torch.cat((first, targets[:, :-1]), dim=1)

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=pad_id)

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    result = []
    log_probs, state = step(bos_id, state)
    while True:
        best = max(range(len(log_probs)), key=lambda i: float(log_probs[i]))
        result.append(best)
        if best == eos_id or len(result) == max_len:
            return result
        log_probs, state = step(best, state)

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    beam = [(0.0, [], state)]
    done = []
    rounds = 0
    while beam and rounds < max_len:
        rounds += 1
        pool = []
        for score, seq, st in beam:
            lp, new_st = step(seq[-1] if seq else bos_id, st)
            pool += [(score + float(x), seq + [i], new_st) for i, x in enumerate(lp)]
        pool = sorted(pool, key=lambda item: item[0], reverse=True)[:beam_size]
        done += [(s, q) for s, q, _ in pool if q[-1] == eos_id]
        beam = [p for p in pool if p[1][-1] != eos_id]
    if done:
        return max(done, key=lambda d: d[0])[1]
    return max(beam, key=lambda b: b[0])[1]
