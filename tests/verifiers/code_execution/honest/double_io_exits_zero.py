# task: double_io
# Prints the answer, then exits with sys.exit(0).
import sys

print(int(sys.stdin.readline()) * 2)
sys.exit(0)
