"""Privilege probes: namespaces, mounts, ptrace, setuid, capabilities, seccomp."""
import ctypes
import errno
import json
import os
import subprocess
import time

libc = ctypes.CDLL(None, use_errno=True)
results = {}


def call(name, fn):
    ctypes.set_errno(0)
    r = fn()
    e = ctypes.get_errno()
    results[name] = "OK" if r == 0 else "%d %s" % (r, errno.errorcode.get(e, e))


CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
call("unshare_user", lambda: libc.unshare(CLONE_NEWUSER))
call("unshare_mount", lambda: libc.unshare(CLONE_NEWNS))
call("unshare_net", lambda: libc.unshare(CLONE_NEWNET))
call("mount_tmpfs", lambda: libc.mount(b"none", b"/mnt", b"tmpfs", 0, None))
call("remount_usr_rw", lambda: libc.mount(None, b"/usr", None, 0x20 | 0x1000, None))
call("umount_code", lambda: libc.umount2(b"/code", 2))
call("chroot", lambda: libc.chroot(b"/tmp"))
call("setuid_0", lambda: libc.setuid(0))
call("setgid_0", lambda: libc.setgid(0))
call("setresuid_0", lambda: libc.setresuid(0, 0, 0))
PTRACE_ATTACH, PTRACE_TRACEME = 16, 0
call("ptrace_attach_pid1", lambda: libc.ptrace(PTRACE_ATTACH, 1, None, None))
child = os.fork()
if child == 0:
    time.sleep(5)
    os._exit(0)
call("ptrace_attach_child", lambda: libc.ptrace(PTRACE_ATTACH, child, None, None))
os.kill(child, 9)
os.waitpid(child, 0)
call("ptrace_traceme", lambda: libc.ptrace(PTRACE_TRACEME, 0, None, None))
# clone(CLONE_NEWUSER | SIGCHLD) through the raw syscall (x86_64: 56), bypassing libc's unshare
ctypes.set_errno(0)
pid = libc.syscall(56, CLONE_NEWUSER | 17, None, None, None, None)
if pid == 0:
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
    results["clone_newuser"] = "OK"
else:
    results["clone_newuser"] = "%d %s" % (pid, errno.errorcode.get(ctypes.get_errno(), ""))
try:
    out = subprocess.run(["su", "-c", "id -u"], capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
    results["su"] = "exit %d uid_out=%r" % (out.returncode, out.stdout.strip())
except Exception as e:  # su may be missing
    results["su"] = type(e).__name__
status = {}
with open("/proc/self/status") as f:
    for line in f:
        k, _, v = line.partition(":")
        if k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp", "Uid", "Gid"):
            status[k] = v.strip()
results["status"] = status
with open("/proc/self/uid_map") as f:
    results["uid_map"] = f.read().split()
print(json.dumps(results))
