# glassnet lesson 4, exercise 2: the gradient of the mean squared error
# A typical mistake: forgetting that the mean divides by the number of elements.


def mse_gradient(prediction, target):
    return 2 * (prediction - target)
