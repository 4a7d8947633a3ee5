'''Gives a finished prefix's slot away for good: the beam narrows as prefixes finish.'''
EXPECT = {"beam_search": 0}
MISCONCEPTION = {"beam_search": "beam-narrows"}

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    live, finished = [(0.0, [], state)], []
    for _ in range(max_len):
        if not live:
            break
        ext = []
        for score, tokens, st in live:
            lp, nst = step(tokens[-1] if tokens else bos_id, st)
            ext += [(score + float(x), tokens + [t], nst) for t, x in enumerate(lp)]
        ext.sort(key=lambda e: e[0], reverse=True)
        width = beam_size - len(finished)
        live = [e for e in ext[:width] if e[1][-1] != eos_id]
        finished += [e for e in ext[:width] if e[1][-1] == eos_id]
    pool = finished or live
    return max(pool, key=lambda e: e[0])[1]
