'''Correct: each prefix's beam_size best extensions first, then the beam_size best of those (the
overall best beam_size are always among them), with heapq; greedy with tensor argmax and int().'''

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    out = []
    nxt = bos_id
    for _ in range(max_len):
        lp, state = step(nxt, state)
        nxt = int(torch.argmax(lp).item())
        out.append(nxt)
        if nxt == eos_id:
            return out
    return out

# %% beam_search
import heapq


def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    live = [(0.0, (), state)]
    finished = []
    for _ in range(max_len):
        if not live:
            break
        shortlist = []
        for score, prefix, st in live:
            lp, nst = step(prefix[-1] if prefix else bos_id, st)
            values, ids = lp.topk(min(beam_size, lp.numel()))
            shortlist += [(score + v, prefix + (i,), nst) for v, i in zip(values.tolist(), ids.tolist())]
        best = heapq.nlargest(beam_size, shortlist, key=lambda c: c[0])
        finished += [(s, p) for s, p, _ in best if p[-1] == eos_id]
        live = [c for c in best if c[1][-1] != eos_id]
    score, prefix = max(finished, key=lambda f: f[0]) if finished else max(((s, p) for s, p, _ in live), key=lambda f: f[0])
    return list(prefix)
