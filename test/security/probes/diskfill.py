"""Writes /output and /tmp until the file system refuses; reports how far it got."""
import errno
import json
import os

results = {}
block = b"\xa5" * (1024 * 1024)
for name, path in (("output", "/output/fill.bin"), ("tmp", "/tmp/fill.bin"), ("shm", "/dev/shm/fill.bin")):
    written = 0
    error = None
    try:
        with open(path, "wb") as f:
            while written < 4096 * 1024 * 1024:
                f.write(block)
                f.flush()
                written += len(block)
    except OSError as e:
        error = errno.errorcode.get(e.errno, str(e.errno))
    results[name] = {"written": written, "size": os.path.getsize(path), "error": error}
    if name != "output":
        os.unlink(path)
# many small files: the inode budget of /output ends this too
count = 0
try:
    os.mkdir("/output/many")
    while count < 10_000_000:
        open("/output/many/%d" % count, "w").close()
        count += 1
    results["files"] = {"created": count, "error": None}
except OSError as e:
    results["files"] = {"created": count, "error": errno.errorcode.get(e.errno, str(e.errno))}
print(json.dumps(results))
