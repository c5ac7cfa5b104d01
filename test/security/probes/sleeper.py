"""Sleeps far past any timeout; optionally leaves a daemonized grandchild behind first."""
import os
import sys
import time

if "--daemon" in sys.argv:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        os._exit(0)
    print("daemon started", flush=True)
    sys.exit(0)
print("sleeping", flush=True)
time.sleep(300)
