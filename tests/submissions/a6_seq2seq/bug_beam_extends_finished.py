'''Keeps finished prefixes in the beam and extends them (feeds eos_id) like the others; the
answer is the best prefix that contains eos_id, cut after it.'''
EXPECT = {"beam_search": 0}
MISCONCEPTION = {"beam_search": "beam-extends-finished"}

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    beam = [(0.0, [], state)]
    for _ in range(max_len):
        ext = []
        for score, tokens, st in beam:
            lp, nst = step(tokens[-1] if tokens else bos_id, st)
            ext += [(score + float(x), tokens + [t], nst) for t, x in enumerate(lp)]
        ext.sort(key=lambda e: e[0], reverse=True)
        beam = ext[:beam_size]
    done = [(s, t[: t.index(eos_id) + 1]) for s, t, _ in beam if eos_id in t]
    return max(done or [(s, t) for s, t, _ in beam], key=lambda e: e[0])[1]
