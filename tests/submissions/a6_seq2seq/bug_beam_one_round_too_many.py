'''Runs max_len + 1 rounds.'''
EXPECT = {"beam_search": 0}
MISCONCEPTION = {"beam_search": "beam-max-len-off-by-one"}

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    live, finished = [(0.0, [], state)], []
    for _ in range(max_len + 1):
        if not live:
            break
        ext = []
        for score, tokens, st in live:
            lp, nst = step(tokens[-1] if tokens else bos_id, st)
            ext += [(score + float(x), tokens + [t], nst) for t, x in enumerate(lp)]
        ext.sort(key=lambda e: e[0], reverse=True)
        live = [e for e in ext[:beam_size] if e[1][-1] != eos_id]
        finished += [e for e in ext[:beam_size] if e[1][-1] == eos_id]
    pool = finished or live
    return max(pool, key=lambda e: e[0])[1]
