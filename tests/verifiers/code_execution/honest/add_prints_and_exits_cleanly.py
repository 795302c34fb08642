# task: add
# Prints while loading and inside the function; prints are not results.
print("loading the adder")


def add(a, b):
    print(f"adding {a} and {b}")
    return a + b


if __name__ == "__main__":
    print(add(1, 2))
