'''Correct, with defensive checks, prints, a step called twice for the same state (allowed: a step
never changes its state) and log-sum-exp attention with bmm.'''

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    assert query.dim() == 2 and keys.dim() == 3
    print("attention over", keys.shape[1], "positions")
    scores = (torch.tanh(query.unsqueeze(1) @ W_q + keys @ W_k) * v).sum(-1)
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, -math.inf))
    weights = torch.exp(scores - torch.logsumexp(scores, dim=1, keepdim=True))
    context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)
    return context, weights

# %% shift_right
def shift_right(targets, bos_id):
    assert targets.dim() == 2, "targets must be (B, L)"
    out = targets.new_full(targets.shape, bos_id)
    out[:, 1:] = targets[:, :-1]
    print("decoder input", tuple(out.shape))
    return out

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    assert beam_size >= 1
    beams = [{"tokens": [], "score": 0.0, "state": state}]
    finished = []
    for r in range(max_len):
        if len(beams) == 0:
            break
        grown = []
        for beam in beams:
            feed = beam["tokens"][-1] if beam["tokens"] else bos_id
            vocab = step(feed, beam["state"])[0].shape[0]        # a first call just to read V
            log_probs, new_state = step(feed, beam["state"])
            for t in range(vocab):
                grown.append({"tokens": beam["tokens"] + [t], "score": beam["score"] + log_probs[t].item(),
                              "state": new_state})
        grown.sort(key=lambda b: b["score"], reverse=True)
        beams = []
        for b in grown[:beam_size]:
            (finished if b["tokens"][-1] == eos_id else beams).append(b)
        print(f"round {r + 1}: {len(beams)} live, {len(finished)} finished")
    best = max(finished if finished else beams, key=lambda b: b["score"])
    return list(best["tokens"])
