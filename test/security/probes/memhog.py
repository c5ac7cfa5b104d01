"""Allocates and touches memory until the kernel stops it."""
import sys

chunks = []
step = 16 * 1024 * 1024
while True:
    chunks.append(bytearray(step))  # zero-filled: every page is touched
    sys.stdout.write("%d\n" % (len(chunks) * 16))
    sys.stdout.flush()
