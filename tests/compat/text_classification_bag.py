"""Text classification as in PyTorch's text tutorial: nn.EmbeddingBag(mode="mean") over a flat
batch of token ids with offsets from torch.tensor(lengths[:-1]).cumsum(dim=0), a collate_batch
function for DataLoader(collate_fn=...), random_split, StepLR and gradient clipping.

The sentences are made up (a few positive and negative words among filler words). Prints
``final accuracy=...`` on the test sentences.
"""

import random

import torch
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.data.dataset import random_split

torch.manual_seed(0)
random.seed(0)
words = ["good", "great", "fine", "bad", "awful", "poor", "the", "a", "movie", "film", "is", "was"]
vocab = {w: i for i, w in enumerate(words)}


def make(n):
    out = []
    for _ in range(n):
        lab = random.randint(0, 1)
        pool = words[:3] if lab else words[3:6]
        text = (
            " ".join(random.choice(words[6:]) for _ in range(random.randint(2, 5)))
            + " "
            + random.choice(pool)
        )
        out.append((lab + 1, text))
    return out


train_iter = make(400)
test_iter = make(100)
text_pipeline = lambda x: [vocab[t] for t in x.split()]
label_pipeline = lambda x: int(x) - 1


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(label_pipeline(_label))
        processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    return label_list, text_list, offsets


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super().__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False, mode="mean")
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


model = TextClassificationModel(len(vocab), 8, 2)
criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)


def train(dataloader):
    model.train()
    total_acc, total_count = 0, 0
    for _idx, (label, text, offsets) in enumerate(dataloader):
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
    return total_acc / total_count


def evaluate(dataloader):
    model.eval()
    total_acc, total_count = 0, 0
    with torch.no_grad():
        for _idx, (label, text, offsets) in enumerate(dataloader):
            predicted_label = model(text, offsets)
            criterion(predicted_label, label)
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count


num_train = int(len(train_iter) * 0.95)
split_train_, split_valid_ = random_split(train_iter, [num_train, len(train_iter) - num_train])
print(len(split_train_), len(split_valid_), type(split_train_).__name__)
train_dataloader = DataLoader(split_train_, batch_size=16, shuffle=True, collate_fn=collate_batch)
valid_dataloader = DataLoader(split_valid_, batch_size=16, shuffle=True, collate_fn=collate_batch)
test_dataloader = DataLoader(test_iter, batch_size=16, shuffle=True, collate_fn=collate_batch)
total_accu = None
for epoch in range(1, 5):
    tr = train(train_dataloader)
    accu_val = evaluate(valid_dataloader)
    if total_accu is not None and total_accu > accu_val:
        scheduler.step()
    else:
        total_accu = accu_val
    print(
        f"| end of epoch {epoch:3d} | valid accuracy {accu_val:8.3f} lr {scheduler.get_last_lr()}"
    )
print(f"final accuracy={evaluate(test_dataloader):.3f}")
