#!/usr/bin/env python3
"""Memory with many connections left open mid-transfer: the reassembly and HTTP caps at work.

Usage: scripts/bench-open.py [--bin PATH] [--connections N] [--out FILE] [--max-flows N]

Writes a capture (Ethernet, IPv4, checksums zero) of N connections that each open with a
three-way handshake, send the first half of an HTTP request head (unfinished: the parser must
hold it), then a 1,000-byte segment 500 bytes ahead of it (out of order: the reassembler must
hold it), and never close. Then runs `wiretale conversations FILE --format json --max-flows M`
under /usr/bin/time -v and prints the peak resident memory beside what the caps allow: held
out-of-order bytes at most 64 MiB, unfinished heads at most 16 MiB, all connections together.
"""
import argparse, os, struct, subprocess, sys


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    eth = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
    return eth + ip + tcp


def write(path, n):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1_700_000_000 * 1_000_000
        server = bytes([10, 0, 0, 1])

        def put(data):
            nonlocal t
            t += 10
            f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(data), len(data)))
            f.write(data)

        for i in range(n):
            client = bytes([10, 1 + (i >> 16) % 200, (i >> 8) & 255, i & 255])
            sport, x, y = 10000 + i % 50000, 1000 + i, 900000 + i
            put(frame(client, server, sport, 80, x, 0, 0x02))
            put(frame(server, client, 80, sport, y, x + 1, 0x12))
            put(frame(client, server, sport, 80, x + 1, y + 1, 0x10))
            head = b"GET /item/%d HTTP/1.1\r\nHost: bench.example\r\nUser-Agent: open/1.0\r\n" % i
            put(frame(client, server, sport, 80, x + 1, y + 1, 0x18, head))
            put(frame(client, server, sport, 80, x + 1 + len(head) + 500, y + 1, 0x18, b"A" * 1000))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release/wiretale")
    ap.add_argument("--connections", type=int, default=100_000)
    ap.add_argument("--max-flows", type=int, default=None, help="default: the number of connections")
    ap.add_argument("--out", default="/tmp/wiretale-bench/open-connections.pcap")
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    write(a.out, a.connections)
    flows = a.max_flows or a.connections
    cmd = ["/usr/bin/time", "-v", a.bin, "conversations", a.out, "--format", "json", "--max-flows", str(flows)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = next((int(l.split()[-1]) for l in p.stderr.splitlines() if "Maximum resident" in l), 0)
    wall = next((l.split()[-1] for l in p.stderr.splitlines() if "Elapsed (wall" in l), "?")
    objects = p.stdout.count('"kind":"tcp"')
    print("connections %d (held at once: up to %d), packets %d, file %.1f MB" % (
        a.connections, flows, a.connections * 5, os.path.getsize(a.out) / 1e6))
    print("conversations --format json: exit %d, %d tcp objects, wall %s, peak RSS %.1f MiB" % (
        p.returncode, objects, wall, peak / 1024))
    print("caps: out-of-order bytes held <= 64 MiB, unfinished HTTP heads <= 16 MiB (both for all connections)")
    return 0 if p.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
