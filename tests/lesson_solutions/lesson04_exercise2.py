# glassnet lesson 4, exercise 2: the gradient of the mean squared error


def mse_gradient(prediction, target):
    return 2 * (prediction - target) / prediction.size
