'''Correct, written with tensors: einsum attention with -1e9 masking (exactly 0 after softmax),
roll for shift_right, a masked mean of log_softmax for the loss, greedy that feeds and returns 0-d
tensors' values, and a beam search that scores a (live, V) float32 tensor and takes topk over
the flattened round.'''

# %% additive_attention
def additive_attention(query, keys, mask, W_q, W_k, v):
    hidden = torch.tanh(torch.einsum("bh,ha->ba", query, W_q)[:, None] + torch.einsum("bsh,ha->bsa", keys, W_k))
    scores = torch.einsum("bsa,a->bs", hidden, v)
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), -1e9)
    weights = scores.softmax(-1)
    return torch.bmm(weights[:, None, :], keys)[:, 0], weights

# %% shift_right
def shift_right(targets, bos_id):
    out = torch.roll(targets, shifts=1, dims=1)  # a copy
    out[:, 0] = bos_id
    return out

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    keep = (targets != pad_id).to(logits.dtype)
    nll = -torch.log_softmax(logits, -1).gather(2, targets.unsqueeze(2)).squeeze(2)
    return (nll * keep).sum() / keep.sum()

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    tokens = []
    token = torch.tensor(bos_id)
    for _ in range(max_len):
        log_probs, state = step(token, state)
        token = log_probs.argmax()
        tokens.append(token.item())
        if tokens[-1] == eos_id:
            break
    return tokens

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    prefixes, scores, states = [[]], torch.zeros(1), [state]
    finished = []
    for _ in range(max_len):
        if not prefixes:
            break
        rows, new_states = [], []
        for p, s in zip(prefixes, states):
            lp, ns = step(p[-1] if p else bos_id, s)
            rows.append(lp.float())
            new_states.append(ns)
        table = scores[:, None] + torch.stack(rows)                  # (live, V), float32
        V = table.shape[1]
        best = torch.topk(table.flatten(), min(beam_size, table.numel())).indices
        next_prefixes, next_scores, next_states = [], [], []
        for index in best.tolist():
            i, token = divmod(index, V)
            if token == eos_id:
                finished.append((float(table[i, token]), prefixes[i] + [token]))
            else:
                next_prefixes.append(prefixes[i] + [token])
                next_scores.append(table[i, token])
                next_states.append(new_states[i])
        prefixes, states = next_prefixes, next_states
        scores = torch.stack(next_scores) if next_scores else torch.zeros(0)
    if finished:
        return max(finished)[1]
    return prefixes[int(scores.argmax())]
