# glassnet lesson 9, exercise 3: max pooling 2x2


def max_pool_2x2(image):
    h, w = image.shape
    return image.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))
