"""Network probes from inside a sandbox: loopback services only, never an outside or private address."""
import errno
import json
import os
import socket
import sys

http_port = int(sys.argv[1])
results = {}


def attempt(name, fn):
    try:
        fn()
        results[name] = "CONNECTED"
    except OSError as e:
        results[name] = errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__


def tcp(host, port, family=socket.AF_INET):
    def go():
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.connect((host, port))
        finally:
            s.close()

    return go


def udp(host, port):
    def go():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        try:
            s.connect((host, port))
            s.send(b"\x00" * 12)
            s.recv(512)
        finally:
            s.close()

    return go


attempt("tcp_postgres", tcp("127.0.0.1", 5432))
attempt("tcp_redis", tcp("127.0.0.1", 6379))
attempt("tcp_http", tcp("127.0.0.1", http_port))
attempt("tcp6_http", tcp("::1", http_port, socket.AF_INET6))
attempt("udp_dns_loopback", udp("127.0.0.1", 53))


def resolve():
    socket.getaddrinfo("localhost", 80)


try:
    resolve()
    results["dns_localhost"] = "RESOLVED"
except socket.gaierror as e:
    results["dns_localhost"] = "gaierror %s" % e.errno

# what the kernel says about interfaces and routes (reading, no traffic)
with open("/proc/net/dev") as f:
    results["interfaces"] = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
with open("/proc/net/route") as f:
    results["ipv4_routes"] = [line.split()[:3] for line in f.readlines()[1:] if line.strip()]
try:
    with open("/proc/net/ipv6_route") as f:
        results["ipv6_routes"] = [[line.split()[0], line.split()[-1]] for line in f if line.strip()]
except OSError:
    results["ipv6_routes"] = []
results["if_nameindex"] = [name for _, name in socket.if_nameindex()]
try:
    results["sys_class_net"] = sorted(os.listdir("/sys/class/net"))
except OSError as e:
    results["sys_class_net"] = errno.errorcode.get(e.errno, str(e.errno))
import fcntl
import struct

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("H", fcntl.ioctl(s.fileno(), 0x8913, struct.pack("256s", b"lo"))[16:18])[0]
results["lo_up"] = bool(flags & 1)
# the sandbox's loopback is its own: the host's HTTP port is free here
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    srv.bind(("127.0.0.1", http_port))
    srv.listen(1)
    results["bind_host_http_port"] = "BOUND"
except OSError as e:
    results["bind_host_http_port"] = errno.errorcode.get(e.errno, str(e.errno))
finally:
    srv.close()
print(json.dumps(results))
