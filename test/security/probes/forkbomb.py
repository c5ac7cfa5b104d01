"""A fork bomb: every process forks forever; the pids limit must contain it until the wall clock ends it."""
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
