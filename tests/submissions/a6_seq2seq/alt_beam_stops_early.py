'''Correct: beam search with an early exit (once the best finished score beats every live one,
no live prefix can win, since log-probabilities only lower a score), and a greedy decoder that
also feeds its last token when it stops at max_len (a wasted call, not a wrong one); numpy
argsort for the ranking; the loss by log-sum-exp by hand.'''

# %% sequence_loss
def sequence_loss(logits, targets, pad_id):
    z = logits - logits.max(dim=-1, keepdim=True).values.detach()
    log_z = torch.log(torch.exp(z).sum(-1))                                   # (B, L), stable
    target_z = z.gather(-1, targets[..., None]).squeeze(-1)
    real = targets != pad_id
    return (log_z - target_z)[real].sum() / real.sum()

# %% greedy_decode
def greedy_decode(step, state, bos_id, eos_id, max_len):
    chosen = []
    token = bos_id
    while True:
        log_probs, state = step(token, state)
        if len(chosen) == max_len:
            return chosen
        token = int(log_probs.argmax())
        chosen.append(token)
        if token == eos_id:
            return chosen

# %% beam_search
import numpy as np


def beam_search(step, state, bos_id, eos_id, beam_size, max_len):
    live = [([], 0.0, state)]
    finished = []
    for _ in range(max_len):
        if not live:
            break
        if finished and max(s for _, s in finished) >= max(s for _, s, _ in live):
            break
        tokens, scores, states = [], [], []
        for prefix, score, st in live:
            lp, nst = step(prefix[-1] if prefix else bos_id, st)
            lp = np.asarray(lp, dtype=np.float64)
            for t in range(len(lp)):
                tokens.append(prefix + [t])
                scores.append(score + lp[t])
                states.append(nst)
        order = np.argsort(-np.asarray(scores), kind="stable")[:beam_size]
        live = []
        for i in order:
            if tokens[i][-1] == eos_id:
                finished.append((tokens[i], scores[i]))
            else:
                live.append((tokens[i], scores[i], states[i]))
    best = max(finished or [(p, s) for p, s, _ in live], key=lambda f: f[1])
    return best[0]
