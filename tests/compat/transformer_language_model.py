"""A small language model with nn.TransformerEncoder, as PyTorch's "Language Modeling with
nn.Transformer" tutorial builds it, on a synthetic corpus: the sequence 0, 1, ..., V-1 repeated.

Also touches what the official 60-minute blitz prints or calls: grad_fn.next_functions,
torch.matmul(..., out=), torch.add, a Tensor hook, and a Categorical sample.

Prints ``final loss=...``: the loss on held-out windows after training.
"""

import math

import torch
from torch import nn
from torch.distributions import Categorical

torch.manual_seed(0)
ntokens, d_model, bptt = 12, 32, 10


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=500):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return self.dropout(x + self.pe[: x.size(0)])


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.1):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)
        self.embedding.weight.data.uniform_(-0.1, 0.1)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-0.1, 0.1)

    def forward(self, src, src_mask):
        src = self.pos_encoder(self.embedding(src) * math.sqrt(self.d_model))
        return self.linear(self.transformer_encoder(src, src_mask))


def batchify(data, bsz):
    seq_len = data.size(0) // bsz
    return data[: seq_len * bsz].view(bsz, seq_len).t().contiguous()


def get_batch(source, i):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i : i + seq_len], source[i + 1 : i + 1 + seq_len].reshape(-1)


corpus = torch.arange(ntokens).repeat(200)
train_data, val_data = batchify(corpus[:2000], 8), batchify(corpus[2000:], 4)
model = TransformerModel(ntokens, d_model, 4, 64, 2)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
mask = nn.Transformer.generate_square_subsequent_mask(bptt)

for epoch in range(3):
    model.train()
    for i in range(0, train_data.size(0) - 1, bptt):
        data, targets = get_batch(train_data, i)
        output = model(data, mask[: len(data), : len(data)])
        loss = criterion(output.view(-1, ntokens), targets)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
    scheduler.step()
    print(
        f"epoch {epoch + 1}: last training loss {loss.item():.4f}, lr {scheduler.get_last_lr()[0]:.3f}"
    )

model.eval()
total, count = 0.0, 0
with torch.no_grad():
    for i in range(0, val_data.size(0) - 1, bptt):
        data, targets = get_batch(val_data, i)
        output = model(data, mask[: len(data), : len(data)])
        total += len(data) * criterion(output.view(-1, ntokens), targets).item()
        count += len(data)

# The blitz's small things: the graph behind a loss, out=, torch.add, a hook, a draw.
w = torch.randn(3, 3, requires_grad=True)
seen = []
w.register_hook(lambda g: seen.append(g.shape))
probe = (w @ w).sum()
print("graph:", probe.grad_fn, probe.grad_fn.next_functions[0][0])
probe.backward()
product = torch.empty(3, 3)
torch.matmul(w.detach(), w.detach(), out=product)
assert torch.add(product, 1, alpha=2).shape == (3, 3) and len(seen) == 1
action = Categorical(logits=output[-1, 0]).sample()
assert 0 <= action.item() < ntokens
print(f"final loss={total / count:.4f}")
