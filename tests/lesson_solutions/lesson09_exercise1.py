# glassnet lesson 9, exercise 1: a convolution's output size
def conv_output_size(H, k, stride=1, padding=0, dilation=1):
    return (H + 2 * padding - dilation * (k - 1) - 1) // stride + 1
