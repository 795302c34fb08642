# task: fib
# Writes a scratch file in its own folder and uses a thread: both allowed.
import threading


def fib(n):
    result = {}

    def work():
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        result["v"] = a

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    with open("scratch.txt", "w") as fh:
        fh.write(str(result["v"]))
    with open("scratch.txt") as fh:
        return int(fh.read())
