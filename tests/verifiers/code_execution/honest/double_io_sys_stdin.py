# task: double_io
import sys


def main():
    data = sys.stdin.read().split()
    sys.stdout.write(str(2 * int(data[0])) + "\n")


if __name__ == "__main__":
    main()
