#!/usr/bin/env python3
"""Hostile servers on loopback for the trace tests: one misbehaviour per MODE.

    hostile.py MODE [LIFETIME_SECONDS]

Binds 127.0.0.1 on a free port (TCP for HTTP/TLS modes, UDP for dns-* modes), prints the port on
one line, serves until LIFETIME_SECONDS (default 20) have passed, then exits. Nothing but loopback.
"""
import socket
import struct
import sys
import threading
import time

MODE = sys.argv[1]
LIFETIME = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
DEADLINE = time.monotonic() + LIFETIME


def head(*lines):
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


FIXED = {
    "continue": head("HTTP/1.1 100 Continue")
    + head("HTTP/1.1 103 Early Hints", "Link: </s.css>; rel=preload")
    + head("HTTP/1.1 200 OK", "Content-Type: text/html", "Content-Length: 26")
    + b"<title>final</title>hello!",
    "cl-huge": head("HTTP/1.1 200 OK", "Content-Length: 99999999999999999999999999") + b"hello",
    "cl-negative": head("HTTP/1.1 200 OK", "Content-Length: -5") + b"hello",
    "cl-conflict": head("HTTP/1.1 200 OK", "Content-Length: 5", "Content-Length: 7") + b"hello",
    "te-and-cl": head("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Length: 3")
    + b"5\r\nhello\r\n0\r\n\r\n",
    "redirect-ftp": head("HTTP/1.1 302 Found", "Location: ftp://files.example/x", "Content-Length: 0"),
    "redirect-mailto": head("HTTP/1.1 302 Found", "Location: mailto:someone@example.org", "Content-Length: 0"),
    "http09": b"hello, this is HTTP/0.9\n",
    "binary": bytes([0, 1, 2, 0xFF, 0xFE, 0x80]) * 8,
    "tls-http400": head("HTTP/1.1 400 Bad Request", "Content-Length: 0"),
    "tls-garbage": b"\x00\x00garbage, not a TLS record at all",
}


def serve_tcp(conn):
    conn.settimeout(max(0.1, DEADLINE - time.monotonic()))
    try:
        conn.recv(65536)  # the request, or the TLS ClientHello
        if MODE == "tls-reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()  # SO_LINGER 0: the close is an RST
            return
        if MODE in FIXED:
            conn.sendall(FIXED[MODE])
            time.sleep(0.2)
        elif MODE == "endless-close":
            conn.sendall(head("HTTP/1.1 200 OK", "Content-Type: text/html", "Connection: close"))
            block = b"<p>endless</p>" * 4681
            while time.monotonic() < DEADLINE:
                conn.sendall(block)
        elif MODE == "endless-chunked":
            conn.sendall(head("HTTP/1.1 200 OK", "Content-Type: text/html", "Transfer-Encoding: chunked"))
            data = b"x" * 65536
            block = b"%x\r\n" % len(data) + data + b"\r\n"
            while time.monotonic() < DEADLINE:
                conn.sendall(block)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def name_bytes(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def parse_query(q):
    qid = struct.unpack("!H", q[:2])[0]
    i, labels = 12, []
    while q[i] != 0:
        n = q[i]
        labels.append(q[i + 1 : i + 1 + n].decode())
        i += 1 + n
    qtype = struct.unpack("!H", q[i + 1 : i + 3])[0]
    return qid, ".".join(labels), qtype


def rr(name, rtype, data):
    return name_bytes(name) + struct.pack("!HHIH", rtype, 1, 60, len(data)) + data


def response(qid, qname, qtype, answers, flags=0x8180):
    h = struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0)
    return h + name_bytes(qname) + struct.pack("!HH", qtype, 1) + b"".join(answers)


def answer_dns(sock, q, peer):
    qid, qname, qtype = parse_query(q)
    a = rr(qname, 1, socket.inet_aton("127.0.0.1")) if qtype == 1 else None
    if MODE == "dns-wrong-question":
        sock.sendto(response(qid, "someone-else.test", qtype, []), peer)  # same id, not our question
        time.sleep(0.05)
        sock.sendto(response(qid, qname, qtype, [a] if a else []), peer)
    elif MODE == "dns-cname-loop":
        sock.sendto(response(qid, qname, qtype, [rr(qname, 5, name_bytes("b.test")), rr("b.test", 5, name_bytes(qname))]), peer)
    elif MODE == "dns-cname-chain":
        chain = [qname] + ["c%d.test" % k for k in range(1, 101)]
        answers = [rr(chain[k], 5, name_bytes(chain[k + 1])) for k in range(100)]
        answers.append(rr(chain[-1], 1, socket.inet_aton("127.0.0.1")))
        sock.sendto(response(qid, qname, qtype, answers), peer)
    elif MODE == "dns-tc":
        sock.sendto(response(qid, qname, qtype, [], flags=0x8380), peer)  # TC=1; nothing listens on TCP
    elif MODE == "dns-malformed":
        sock.sendto(struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + b"\x07trunc", peer)
    elif MODE == "dns-silent":
        pass


def main():
    if MODE.startswith("dns-"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1], flush=True)
        while time.monotonic() < DEADLINE:
            s.settimeout(max(0.05, DEADLINE - time.monotonic()))
            try:
                q, peer = s.recvfrom(65535)
            except OSError:
                continue
            try:
                answer_dns(s, q, peer)
            except (OSError, IndexError, struct.error):
                pass
        return
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    print(s.getsockname()[1], flush=True)
    while time.monotonic() < DEADLINE:
        s.settimeout(max(0.05, DEADLINE - time.monotonic()))
        try:
            conn, _ = s.accept()
        except OSError:
            continue
        threading.Thread(target=serve_tcp, args=(conn,), daemon=True).start()


main()
