# task: root
def root(x):
    guess = x / 2 or 1.0
    for _ in range(60):
        guess = (guess + x / guess) / 2
    return guess
