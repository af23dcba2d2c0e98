"""PyTorch's word-language-model example, small: Embedding + LSTM with tied weights, plain SGD
through p.data, hidden state detached between batches, and the whole model saved with
torch.save(model, f) and loaded back with torch.load(f, weights_only=False)."""

import math
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1111)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight  # tied input and output embeddings
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        self.nhid, self.nlayers = nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        decoded = self.decoder(self.drop(output)).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.nlayers, bsz, self.nhid),
            weight.new_zeros(self.nlayers, bsz, self.nhid),
        )


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data.narrow(0, 0, nbatch * bsz).view(bsz, -1).t().contiguous()


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def get_batch(source, i, bptt=20):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i : i + seq_len], source[i + 1 : i + 1 + seq_len].view(-1)


# A corpus with structure: each token is usually followed by the next one (mod ntokens).
ntokens = 24
steps = torch.randint(0, 4, (4000,))
corpus = torch.cumsum((steps == 0).long() * 5 + 1, dim=0) % ntokens
train_data = batchify(corpus, 16)

model = RNNModel(ntokens, 32, 32, 2)
criterion = nn.NLLLoss()
lr = 20.0
for epoch in range(8):
    model.train()
    hidden = model.init_hidden(16)
    total_loss, batches = 0.0, 0
    for i in range(0, train_data.size(0) - 1, 20):
        data, targets = get_batch(train_data, i)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item()
        batches += 1
    print(f"epoch {epoch} loss {total_loss / batches:.3f} ppl {math.exp(total_loss / batches):.2f}")

model.eval()
path = os.path.join(tempfile.mkdtemp(), "model.pt")
with open(path, "wb") as f:
    torch.save(model, f)
with open(path, "rb") as f:
    loaded = torch.load(f, weights_only=False)
with torch.no_grad():
    data, targets = get_batch(train_data, 0)
    a, _ = model(data, model.init_hidden(16))
    b, _ = loaded(data, loaded.init_hidden(16))
    eval_loss = criterion(b, targets).item()
match = float(torch.equal(a, b))
tied = float(loaded.decoder.weight is loaded.encoder.weight)
print(f"final loss={eval_loss:.4f} match={match:.0f} tied={tied:.0f}")
