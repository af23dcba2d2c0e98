"""PyTorch's torch.nn.modules.channelshuffle: ChannelShuffle (glassnet's own, ``glassnet.nn.channel_shuffle``)."""

from __future__ import annotations

from ..channel_shuffle import ChannelShuffle

__all__ = ["ChannelShuffle"]
