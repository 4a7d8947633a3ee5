'''Stores the state a prefix was extended *from* instead of the one step returned, so each
round feeds a token to the decoder state of one round earlier.'''
EXPECT = {"beam_search": 0}
MISCONCEPTION = {"beam_search": "beam-parent-state"}

# %% beam_search
def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    live, finished = [(0.0, [], state)], []
    for _ in range(max_len):
        if not live:
            break
        ext = []
        for score, tokens, st in live:
            lp, _ = step(tokens[-1] if tokens else bos_id, st)
            ext += [(score + float(x), tokens + [t], st) for t, x in enumerate(lp)]
        ext.sort(key=lambda e: e[0], reverse=True)
        live = [e for e in ext[:beam_size] if e[1][-1] != eos_id]
        finished += [e for e in ext[:beam_size] if e[1][-1] == eos_id]
    pool = finished or live
    return max(pool, key=lambda e: e[0])[1]
