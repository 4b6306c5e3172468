#!/usr/bin/env python3
"""Captures the exact wire bytes Docker's syslog driver sends, one container run per transport and
format, into <transport>-<format>.bin next to this script (provenance: README.md here).

Usage, as root, with a running dockerd and the test's busybox image imported:
  capture.py DOCKER_HOST IMAGE PKI_DIR
PKI_DIR holds ca.crt, server.crt/.key (IP:127.0.0.1) and client.crt/.key signed by ca.crt.
Every connection's bytes are stored raw: framing included, nothing stripped.
"""
import os, socket, ssl, subprocess, sys, threading, time

host, image, pki = sys.argv[1], sys.argv[2], sys.argv[3]
out_dir = os.path.dirname(os.path.abspath(__file__))
FORMATS = ["", "rfc3164", "rfc5424", "rfc5424micro"]
LINE = "Hello from Docker."


def serve_stream(listener, wrap, sink):
    conn, _ = listener.accept()
    if wrap:
        conn = wrap(conn)
    while True:
        b = conn.recv(65536)
        if not b:
            break
        sink.extend(b)
    conn.close()


def run(transport, fmt, script, tag=None, name=None):
    sink = bytearray()
    if transport == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(3)
        t = None
    else:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        wrap = None
        if transport == "tcp+tls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(f"{pki}/server.crt", f"{pki}/server.key")
            ctx.load_verify_locations(f"{pki}/ca.crt")
            ctx.verify_mode = ssl.CERT_REQUIRED
            wrap = lambda c: ctx.wrap_socket(c, server_side=True)
        t = threading.Thread(target=serve_stream, args=(s, wrap, sink))
        t.start()
    port = s.getsockname()[1]
    cmd = ["/usr/bin/docker", "-H", host, "run", "--rm", "--network", "none", "--log-driver", "syslog",
           "--log-opt", f"syslog-address={transport}://127.0.0.1:{port}"]
    if fmt:
        cmd += ["--log-opt", f"syslog-format={fmt}"]
    if tag:
        cmd += ["--log-opt", f"tag={tag}"]
    if name:
        cmd += ["--name", name]
    if transport == "tcp+tls":
        cmd += ["--log-opt", f"syslog-tls-ca-cert={pki}/ca.crt", "--log-opt", f"syslog-tls-cert={pki}/client.crt",
                "--log-opt", f"syslog-tls-key={pki}/client.key"]
    cmd += [image, "/bin/sh", "-c", script]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    if transport == "udp":
        try:
            while True:
                d, _ = s.recvfrom(65536)
                sink.extend(d)
        except socket.timeout:
            pass
    else:
        t.join(10)  # dockerd closes the connection when the container's logger closes
    s.close()
    return bytes(sink)


for transport in ["udp", "tcp", "tcp+tls"]:
    for fmt in FORMATS:
        data = run(transport, fmt, f"echo '{LINE}'")
        name = f"{transport.replace('+', '-')}-{fmt or 'default'}.bin"
        open(os.path.join(out_dir, name), "wb").write(data)
        print(name, len(data), repr(data[:160]))

# One 40,000-byte line over tcp+tls rfc5424micro with tag {{.Name}}/{{.ID}}: Docker's three pieces.
script = "printf 'long '; /bin/busybox head -c 39995 /dev/zero | /bin/busybox tr '\\000' y; echo"
data = run("tcp+tls", "rfc5424micro", script, tag="{{.Name}}/{{.ID}}", name="aw-capture-long")
open(os.path.join(out_dir, "tcp-tls-rfc5424micro-40000-byte-line.bin"), "wb").write(data)
print("long", len(data))
