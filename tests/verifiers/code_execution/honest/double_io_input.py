# task: double_io
n = int(input())
print(n * 2)
