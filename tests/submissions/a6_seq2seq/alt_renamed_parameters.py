'''Correct, with every parameter renamed: the grader passes arguments by position.'''

# %% additive_attention
def additive_attention(dec_state, enc_outputs, src_mask, Wa, Ua, va):
    e = torch.tanh((dec_state @ Wa).unsqueeze(1) + enc_outputs @ Ua) @ va
    if src_mask is not None:
        e = e.masked_fill(~src_mask, float("-inf"))
    a = torch.softmax(e, dim=-1)
    return (a.unsqueeze(-1) * enc_outputs).sum(1), a

# %% shift_right
def shift_right(gold, start_token):
    return torch.cat([torch.full_like(gold[:, :1], start_token), gold[:, :-1]], 1)

# %% sequence_loss
def sequence_loss(scores, gold, ignore):
    return F.nll_loss(F.log_softmax(scores, -1).transpose(1, 2), gold, ignore_index=ignore)

# %% greedy_decode
def greedy_decode(fn, h, start, end, limit):
    out, tok = [], start
    while len(out) < limit and (not out or out[-1] != end):
        lp, h = fn(tok, h)
        tok = int(lp.argmax())
        out.append(tok)
    return out

# %% beam_search
def beam_search(fn, h, start, end, width, limit):
    alive, complete = [(0.0, [], h)], []
    for _ in range(limit):
        if not alive:
            break
        cands = []
        for sc, seq, hh in alive:
            lp, nh = fn(seq[-1] if seq else start, hh)
            cands.extend((sc + float(lp[t]), seq + [t], nh) for t in range(lp.numel()))
        cands.sort(key=lambda c: c[0], reverse=True)
        alive = [c for c in cands[:width] if c[1][-1] != end]
        complete += [(c[0], c[1]) for c in cands[:width] if c[1][-1] == end]
    return max(complete or [(c[0], c[1]) for c in alive], key=lambda c: c[0])[1]
