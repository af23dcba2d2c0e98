"""A GRU reads each 8x8 digit one row at a time and classifies it (the MNIST RNN example, small).

Usage: digits_rnn.py DIGITS.npz (see digits_cnn.py). Prints ``final loss=... accuracy=...``.
"""

import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
arrays = np.load(sys.argv[1])
train = TensorDataset(torch.tensor(arrays["x_train"]), torch.tensor(arrays["y_train"]))
test_x, test_y = torch.tensor(arrays["x_test"]), torch.tensor(arrays["y_test"])


class RowReader(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.rnn = nn.GRU(8, hidden, num_layers=1, batch_first=True)
        self.fc = nn.Linear(hidden, 10)

    def forward(self, images):  # images: (batch, 8 rows, 8 pixels)
        out, h_n = self.rnn(images)
        return self.fc(out[:, -1, :])  # the state after the last row


model = RowReader()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.RMSprop(model.parameters(), lr=5e-3)
for epoch in range(5):
    model.train()
    for images, labels in DataLoader(train, batch_size=64, shuffle=True):
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(test_x)
        test_loss = loss_fn(logits, test_y).item()
        accuracy = (logits.argmax(1) == test_y).float().mean().item()
    print(f"epoch {epoch}: test loss {test_loss:.4f}, accuracy {accuracy:.3f}")
print(f"final loss={test_loss:.4f} accuracy={accuracy:.4f}")
