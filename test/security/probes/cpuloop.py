"""Burns CPU on N threads of work (processes) forever."""
import multiprocessing
import sys


def spin():
    x = 0
    while True:
        x += 1


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1
for _ in range(n - 1):
    multiprocessing.Process(target=spin, daemon=True).start()
spin()
