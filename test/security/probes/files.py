"""File-system probes: what must be absent, unreadable or read-only inside a sandbox."""
import json
import os
import sys

host_paths = sys.argv[1:]
results = {"read": {}, "write": {}, "exists": {}}


def code(e):
    import errno

    return errno.errorcode.get(e.errno, str(e.errno))


for path in ["/etc/shadow", "/etc/passwd", "/etc/hostname", "/root", "/proc/1/environ", "/proc/kcore", "/sys/kernel"]:
    try:
        with open(path, "rb") as f:
            data = f.read(4096)
        results["read"][path] = "READ %d bytes: %r" % (len(data), data[:200])
    except OSError as e:
        results["read"][path] = code(e)

for path in host_paths:
    results["exists"][path] = os.path.exists(path)

for path in [
    "/data/ds1/new.txt",
    "/data/new.txt",
    "/usr/new.txt",
    "/usr/bin/python3",
    "/code/new.txt",
    "/code/main.py",
    "/new.txt",
    "/etc/new.txt",
    "/dev/new.txt",
    "/proc/sys/kernel/hostname",
]:
    try:
        with open(path, "ab") as f:
            f.write(b"x")
        results["write"][path] = "WRITTEN"
    except OSError as e:
        results["write"][path] = code(e)

for path in ["/tmp/ok.txt", "/output/ok.txt", "/dev/shm/ok.txt"]:
    try:
        with open(path, "w") as f:
            f.write("ok")
        results["write"][path] = "WRITTEN"
    except OSError as e:
        results["write"][path] = code(e)

results["root_listing"] = sorted(os.listdir("/"))
results["proc_pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
results["environ"] = dict(os.environ)
environs = {}
for pid in results["proc_pids"]:
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            environs[pid] = f.read().decode("utf-8", "replace")
    except OSError as e:
        environs[pid] = code(e)
results["proc_environs"] = environs
results["uid"] = [os.getuid(), os.geteuid(), os.getgid()]
print(json.dumps(results))
