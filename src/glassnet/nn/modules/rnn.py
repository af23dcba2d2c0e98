"""PyTorch's torch.nn.modules.rnn: RNNBase, RNN, LSTM, GRU, RNNCellBase and the cells.

All are glassnet's own (``glassnet.nn.recurrent``). ``RNNBase`` takes PyTorch's arguments
``(mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
bidirectional=False, proj_size=0, device=None, dtype=None)``, so ``isinstance(m, RNNBase)``
finds every recurrent layer and ``RNNBase("LSTM", 8, 16)`` builds a working LSTM.
"""

from __future__ import annotations

from ..recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
