"""Leaves things in /output that must not be copied out as they are."""
import os

os.makedirs("/output/sub/deeper", exist_ok=True)
with open("/output/sub/deeper/result.txt", "w") as f:
    f.write("fine\n")
with open("/output/tool.sh", "w") as f:
    f.write("#!/bin/sh\n")
os.chmod("/output/tool.sh", 0o6755)  # setuid + setgid must be stripped
os.symlink("/etc/shadow", "/output/shadow-link")
os.symlink("/", "/output/root-link")
os.mkfifo("/output/fifo")
os.link("/output/sub/deeper/result.txt", "/output/hardlink.txt")
print("done")
