# glassnet lesson 9, exercise 3: max pooling 2x2
# A typical mistake: the wrong reshape, so the blocks are not 2x2 squares of the image.


def max_pool_2x2(image):
    h, w = image.shape
    return image.reshape(2, h // 2, 2, w // 2).max(axis=(0, 2))
