"""A character bigram model of names: counting, sampling with multinomial, then the same model as a network.

Prints ``final count_nll=... net_loss=...``: the average negative log-likelihood of the
counting model (no randomness) and of the one-layer network after gradient descent.
"""

import torch
import torch.nn.functional as F

words = """ada alma anna ari asha ben bea cara cleo dan dora eli ella emil eva finn flora
gus hana ida ines ivo jana jon kai kira lars lea leo lina luca mara max mia milo nina noa
ola omar otto pia rafa remy rosa sami sara theo tia ugo una vera vito wren yara zoe zora
""".split()

chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0  # marks the start and the end of a name
itos = {i: s for s, i in stoi.items()}
V = len(stoi)

# ---- counting: N[a, b] = how often character b follows character a.
N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
P = (N + 1).float()  # add-one smoothing: no pair has probability zero
P /= P.sum(1, keepdim=True)

g = torch.Generator().manual_seed(2147483647)
for _ in range(5):
    out, ix = [], 0
    while True:
        ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
        if ix == 0:
            break
        out.append(itos[ix])
    print("sampled:", "".join(out))

log_likelihood, n = 0.0, 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        log_likelihood += torch.log(P[stoi[ch1], stoi[ch2]]).item()
        n += 1
count_nll = -log_likelihood / n
print(f"counting model: nll {count_nll:.4f}")

# ---- the same model as one linear layer on one-hot inputs, trained by gradient descent.
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs, ys = torch.tensor(xs), torch.tensor(ys)
num = xs.numel()

W = torch.randn((V, V), generator=g, requires_grad=True)
for _ in range(150):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W  # log-counts
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdim=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    W.grad = None
    loss.backward()
    W.data += -20 * W.grad
print(f"final count_nll={count_nll:.4f} net_loss={loss.item():.4f}")
