"""glassnet.backends.cudnn: the cuDNN flags PyTorch scripts set; they change nothing on the CPU."""

#: Let cuDNN pick the fastest convolution algorithm (no effect: there is no cuDNN here).
benchmark = False
#: Ask cuDNN for deterministic algorithms (no effect: glassnet is deterministic once seeded).
deterministic = False
#: Whether cuDNN may be used (no effect).
enabled = True


def is_available() -> bool:
    """False: there is no cuDNN."""
    return False
