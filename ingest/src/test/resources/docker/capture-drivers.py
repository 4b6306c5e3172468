#!/usr/bin/env python3
"""Captures the exact wire bytes Docker's fluentd and gelf drivers send, one container run per case,
into fluentd-*.bin and gelf-*.bin next to this script (provenance: README.md here).

Usage, as root, with a running dockerd and the test's busybox image imported:
  capture-drivers.py DOCKER_HOST IMAGE

Stream captures (fluentd, gelf over TCP) hold every byte the connection carried from the driver,
nothing stripped. With fluentd-request-ack the listener answers each chunk id it sees with
{"ack": <chunk>} (the Forward protocol's response), so the driver goes on. UDP captures hold one
record per datagram: a 4-byte big-endian length, then the datagram's bytes.
"""
import os, re, socket, struct, subprocess, sys, threading

host, image = sys.argv[1], sys.argv[2]
out_dir = os.path.dirname(os.path.abspath(__file__))
LINE = "Hello from Docker."
# One 40,000-byte line: Docker's copier cuts it into 16384 + 16384 + 7232 bytes.
LONG = "printf 'long '; /bin/busybox head -c 39995 /dev/zero | /bin/busybox tr '\\000' y; echo"
# One 40,000-byte line of base64 text, which gzip cannot shrink below GELF's UDP chunk size.
NOISE = "/bin/busybox head -c 30000 /dev/urandom | /bin/busybox base64 -w 0; echo"
CHUNK = re.compile(rb"\xa5chunk([\xa0-\xbf])")


def serve_stream(listener, sink, ack):
    conn, _ = listener.accept()
    pos = 0  # everything before pos is answered
    while True:
        b = conn.recv(65536)
        if not b:
            break
        sink.extend(b)
        while ack:
            m = CHUNK.search(bytes(sink), pos)
            if not m or m.end() + (m.group(1)[0] & 0x1f) > len(sink):
                break
            end = m.end() + (m.group(1)[0] & 0x1f)
            conn.sendall(b"\x81\xa3ack" + m.group(1) + bytes(sink[m.end():end]))
            pos = end
    conn.close()


def run(driver, opts, script, ack=False, udp=False, name=None, address_scheme=None):
    sink = bytearray()
    if udp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(3)
    else:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        t = threading.Thread(target=serve_stream, args=(s, sink, ack))
        t.start()
    port = s.getsockname()[1]
    key = "fluentd-address" if driver == "fluentd" else "gelf-address"
    address_scheme = address_scheme or ("udp" if udp else "tcp")
    cmd = ["/usr/bin/docker", "-H", host, "run", "--rm", "--network", "none", "--log-driver", driver,
           "--log-opt", f"{key}={address_scheme}://127.0.0.1:{port}"]
    for o in opts:
        cmd += ["--log-opt", o]
    if name:
        cmd += ["--name", name]
    cmd += [image, "/bin/sh", "-c", script]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        s.close()
        return None, r.stderr.decode()
    if udp:
        try:
            while True:
                d, _ = s.recvfrom(65536)
                sink.extend(struct.pack(">I", len(d)) + d)
        except socket.timeout:
            pass
    else:
        t.join(10)  # dockerd closes the connection when the container's logger closes
    s.close()
    return bytes(sink), None


def save(name, data):
    open(os.path.join(out_dir, name), "wb").write(data)
    print(name, len(data), repr(data[:120]))


both = f"echo '{LINE}'; echo 'to stderr' >&2"
cases = [
    ("fluentd-default.bin", "fluentd", [], both, False, False, None),
    ("fluentd-request-ack.bin", "fluentd", ["fluentd-request-ack=true"], both, True, False, None),
    ("fluentd-request-ack-subsecond.bin", "fluentd", ["fluentd-request-ack=true", "fluentd-sub-second-precision=true"],
     f"echo '{LINE}'", True, False, None),
    ("fluentd-request-ack-40000-byte-line.bin", "fluentd", ["fluentd-request-ack=true", "tag={{.Name}}/{{.ID}}"],
     LONG, True, False, "aw-capture-long"),
    ("gelf-udp-gzip.bin", "gelf", [], both, False, True, None),
    ("gelf-udp-zlib.bin", "gelf", ["gelf-compression-type=zlib"], f"echo '{LINE}'", False, True, None),
    ("gelf-udp-none.bin", "gelf", ["gelf-compression-type=none"], f"echo '{LINE}'", False, True, None),
    ("gelf-udp-none-40000-byte-line.bin", "gelf", ["gelf-compression-type=none"], LONG, False, True, None),
    ("gelf-udp-gzip-40000-byte-noise-line.bin", "gelf", [], NOISE, False, True, None),
    ("gelf-tcp.bin", "gelf", [], both, False, False, None),
    ("gelf-tcp-40000-byte-line.bin", "gelf", [], LONG, False, False, None),
]
for name, driver, opts, script, ack, udp, cname in cases:
    data, err = run(driver, opts, script, ack=ack, udp=udp, name=cname)
    if data is None:
        print(name, "FAILED:", err)
    else:
        save(name, data)

# Docker 20.10's fluentd driver has no TLS: tcp+tls:// passes its address check and fails to connect.
_, err = run("fluentd", [], f"echo '{LINE}'", address_scheme="tcp+tls")
print("fluentd over tcp+tls:", (err or "started").strip())
