# glassnet lesson 9, exercise 1: a convolution's output size
# A typical mistake: padding counted once instead of on both sides.
def conv_output_size(H, k, stride=1, padding=0, dilation=1):
    return (H + padding - dilation * (k - 1) - 1) // stride + 1
