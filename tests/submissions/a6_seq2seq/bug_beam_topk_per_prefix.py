'''Keeps the beam_size best extensions of each prefix instead of of the whole round (the beam
grows beam_size-fold each round).'''
EXPECT = {"beam_search": 0}
MISCONCEPTION = {"beam_search": "beam-topk-per-prefix"}

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    live, finished = [(0.0, [], state)], []
    for _ in range(max_len):
        if not live:
            break
        survivors = []
        for score, tokens, st in live:
            lp, nst = step(tokens[-1] if tokens else bos_id, st)
            values, ids = torch.topk(lp, beam_size)
            survivors += [(score + float(x), tokens + [int(t)], nst) for x, t in zip(values, ids)]
        live = [e for e in survivors if e[1][-1] != eos_id]
        finished += [e for e in survivors if e[1][-1] == eos_id]
    pool = finished or live
    return max(pool, key=lambda e: e[0])[1]
