"""Writes a lot to stdout and stderr."""
import sys

line = "x" * 1023 + "\n"
for i in range(2048):
    (sys.stdout if i % 2 == 0 else sys.stderr).write(line)
print("end")
