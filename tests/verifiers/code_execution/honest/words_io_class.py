# task: words_io
class Sorter:
    def __init__(self, words):
        self.words = words

    def lines(self):
        return sorted(self.words)


for word in Sorter(input().split()).lines():
    print(word)
