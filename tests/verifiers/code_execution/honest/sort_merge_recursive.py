# task: sort
def sort_list(items):
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left, right = sort_list(items[:mid]), sort_list(items[mid:])
    out = []
    while left and right:
        out.append(left.pop(0) if left[0] <= right[0] else right.pop(0))
    return out + left + right
