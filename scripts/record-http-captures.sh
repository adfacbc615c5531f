#!/usr/bin/env bash
# Records the HTTP/TLS captures in Captures/ (see Captures/README.md) on the loopback interface.
#
#   sudo scripts/record-http-captures.sh [OUTDIR]      (OUTDIR defaults to Captures/)
#
# Needs root (tcpdump on lo), nginx, tcpdump, curl, openssl and python3 (apt-get install -y nginx
# tcpdump curl openssl python3). Every server listens on 127.0.0.1 only and every client talks to
# 127.0.0.1 by address (no name lookups); nothing leaves the machine. nginx runs with its own
# prefix and config in a fresh directory under /tmp (pid, logs and temp files there too); every
# server and tcpdump this script starts is stopped by pid when it exits, and the directory removed.
#
# Ports used (all must be free): nginx 8081, 8082, 8084, 8086, 8089, 8090 and 8443 (TLS);
# python3 servers 2222, 8083, 8087 and 8088.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "${1:-$here/Captures}" && pwd)
work=$(mktemp -d /tmp/wiretale-httpcap.XXXXXX)
chmod 755 "$work"
pids=()
td=""

cleanup() {
    local pid
    if [ -n "$td" ]; then
        kill -INT "$td" 2>/dev/null || true
        wait "$td" 2>/dev/null || true
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

for port in 2222 8081 8082 8083 8084 8086 8087 8088 8089 8090 8443; do
    if ss -Htln "sport = :$port" | grep -q .; then
        echo "port $port is in use; stop what listens there first" >&2
        exit 1
    fi
done

# ---------------------------------------------------------------------------------------------
# Content. Fixed bytes and a fixed mtime, so lengths, ETags and Last-Modified are the same on
# every run (only Date headers, ports chosen by the kernel, sequence numbers and times differ).
mkdir -p "$work/www" "$work/tmp"
python3 - "$work/www" <<'EOF'
import os, sys
www = sys.argv[1]
def write(name, data):
    with open(os.path.join(www, name), "wb") as f:
        f.write(data)
write("a.html", b"<!DOCTYPE html>\n<html><head><title>a</title></head>\n"
      b"<body><p>Page a, served by nginx for wiretale's HTTP captures.</p></body></html>\n")
lines = [b"line %03d of b.txt: the quick brown fox jumps over the lazy dog\n" % i for i in range(1, 21)]
write("b.txt", b"".join(lines))                      # 20 lines, compresses well
write("page4k.html", b"<html><body><pre>\n" +
      b"".join(b"row %04d .......................................................\n" % i
               for i in range(1, 63)) + b"</pre></body></html>\n")
write("large.bin", bytes((i * 7 + (i >> 8)) & 0xFF for i in range(40960)))
write("upload.bin", b"".join(b"upload %04d abcdefghijklmnopqrstuvwxyz0123456789\n" % i
                             for i in range(1, 61)))
EOF
find "$work/www" -type f -exec touch -d '2024-01-01 00:00:00 UTC' {} +
chmod -R a+rX "$work/www"

# A self-signed P-256 certificate for the TLS capture (small, so the handshake is small).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

cat >"$work/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 64; }
http {
    access_log $work/access.log;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    types { text/html html; text/plain txt; application/octet-stream bin; }
    default_type application/octet-stream;
    server_tokens off;
    sendfile off;
    keepalive_timeout 30s;
    server {
        listen 127.0.0.1:8081;
        listen 127.0.0.1:8082;
        listen 127.0.0.1:8084;
        listen 127.0.0.1:8086;
        listen 127.0.0.1:8089;
        listen 127.0.0.1:8090;
        listen 127.0.0.1:8443 ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.3;
        root $work/www;
        location = /b.txt {
            gzip on;
            gzip_types text/plain;
            gzip_min_length 1;
        }
    }
}
EOF
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log" &
pids+=($!)

# ---------------------------------------------------------------------------------------------
# Python helpers: servers and raw-socket clients.
cat >"$work/post_server.py" <<'EOF'
# HTTP/1.1 server that honours Expect: 100-continue (http.server sends the interim 100 itself
# when protocol_version is HTTP/1.1), reads the whole body, answers 201.
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        reply = b"created %d bytes\n" % len(body)
        self.send_response(201, "Created")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", 8083), H).serve_forever()
EOF

cat >"$work/ws_server.py" <<'EOF'
# Answers one Upgrade: websocket request with 101 (Sec-WebSocket-Accept per RFC 6455 section
# 4.2.2), echoes one text frame back (unmasked, as a server must), answers the client's Close.
import base64, hashlib, socket
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 8087)); ls.listen(1)
c, _ = ls.accept()
buf = b""
while b"\r\n\r\n" not in buf:
    buf += c.recv(4096)
head = buf.split(b"\r\n\r\n", 1)[0].decode()
key = [l.split(":", 1)[1].strip() for l in head.split("\r\n")[1:] if l.lower().startswith("sec-websocket-key:")][0]
accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
c.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
def frame():
    h = c.recv(2, socket.MSG_WAITALL); n = h[1] & 0x7F
    mask = c.recv(4, socket.MSG_WAITALL); data = c.recv(n, socket.MSG_WAITALL) if n else b""
    return h[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(data))
op, text = frame()                         # text frame from the client
c.sendall(bytes([0x81, len(text)]) + text)  # echoed, FIN + text, unmasked
op, payload = frame()                       # Close from the client
c.sendall(bytes([0x88, len(payload)]) + payload)
c.recv(1)                                   # the client closes the TCP connection first
c.close(); ls.close()
EOF

cat >"$work/ws_client.py" <<'EOF'
import socket, struct, time
s = socket.create_connection(("127.0.0.1", 8087))
s.sendall(b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1:8087\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          b"User-Agent: wiretale-capture/1\r\n\r\n")
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
assert buf.startswith(b"HTTP/1.1 101 "), buf
mask = b"\x37\xfa\x21\x3d"                 # RFC 6455 section 5.7's example mask
def send(opcode, data):
    s.sendall(bytes([0x80 | opcode, 0x80 | len(data)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
send(0x1, b"Hello")
print(s.recv(2 + 5, socket.MSG_WAITALL))
send(0x8, struct.pack("!H", 1000) + b"bye")
print(s.recv(2 + 5, socket.MSG_WAITALL))
s.close()
EOF

cat >"$work/close_server.py" <<'EOF'
# HTTP/1.0 response with no Content-Length: the body ends when the server closes.
import socket
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 8088)); ls.listen(1)
c, _ = ls.accept()
buf = b""
while b"\r\n\r\n" not in buf:
    buf += c.recv(4096)
body = b"".join(b"until-close line %03d: body ends at the server's FIN\n" % i for i in range(1, 41))
c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body)
c.close(); ls.close()
EOF

cat >"$work/pipeline_client.py" <<'EOF'
# Three requests in one write; the last asks nginx to close. Reads until the server's FIN.
import socket
s = socket.create_connection(("127.0.0.1", 8084))
s.sendall(b"GET /a.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wiretale-capture/1\r\n\r\n"
          b"GET /b.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wiretale-capture/1\r\n\r\n"
          b"GET /missing HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wiretale-capture/1\r\nConnection: close\r\n\r\n")
n = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    n += len(d)
print("read", n)
s.close()
EOF

cat >"$work/midstream_client.py" <<'EOF'
# Connects, then waits (tcpdump starts during the wait, so the handshake is not captured), then two
# requests on the one keep-alive connection 0.5 s apart; closes after the second response.
import socket, sys, time
s = socket.create_connection(("127.0.0.1", 8086))
open(sys.argv[1], "w").close()             # tells the script the connection is up
time.sleep(1.0)
def get(path, last):
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wiretale-capture/1\r\n" +
              (b"Connection: close\r\n" if last else b"") + b"\r\n")
get(b"/a.html", False)
time.sleep(0.5)
get(b"/b.txt", True)
n = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    n += len(d)
print("read", n)
s.close()
EOF

cat >"$work/large_client.py" <<'EOF'
# GET of a 40 KB body with the client's MSS set to 536 and its receive buffer to the kernel's
# minimum before connect. The MSS alone does not do it on lo: lo takes GSO packets whole, so tcpdump
# would see a few 64 KB-sized "segments"; the small receive window makes nginx send about one MSS
# at a time, so the body arrives in many real segments.
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)   # clamped up to the kernel's minimum
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
s.connect(("127.0.0.1", 8090))
s.sendall(b"GET /large.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wiretale-capture/1\r\n"
          b"Connection: close\r\n\r\n")
n = 0
while True:
    d = s.recv(65536)
    if not d:
        break
    n += len(d)
print("read", n)
s.close()
EOF

wait_port() {
    local i
    for i in $(seq 100); do
        ss -Htln "sport = :$1" | grep -q . && return 0
        sleep 0.05
    done
    echo "nothing listens on $1" >&2
    exit 1
}

# tcpdump reads lo through a TPACKET_V3 ring whose blocks reach it only when full or after its
# 1 s timeout, and SIGINT does not drain the ring: stop it no sooner than 1.5 s after the last packet.
# On lo every packet passes the filter twice (out and in; libpcap keeps one), so "received by
# filter" must be twice "captured", with nothing dropped.
stop_tcpdump() {
    local file=$1 got seen dropped
    sleep 1.5
    kill -INT "$td"
    wait "$td" || true
    td=""
    got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$work/tcpdump.err")
    seen=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$work/tcpdump.err")
    dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$work/tcpdump.err")
    echo "$file: $got packets"
    if [ "$dropped" != 0 ] || [ $((got * 2)) != "$seen" ]; then
        echo "$file: tcpdump lost packets ($got captured, $seen received, $dropped dropped)" >&2
        exit 1
    fi
    chown --reference="$out" "$out/$file"
}

start_tcpdump() {
    local i
    tcpdump -i lo -U -s "$3" -w "$out/$1" "tcp port $2" 2>"$work/tcpdump.err" &
    td=$!
    for i in $(seq 100); do
        grep -q "listening on" "$work/tcpdump.err" && return 0
        sleep 0.05
    done
}

# capture FILE PORT SNAPLEN COMMAND...: tcpdump on lo for tcp port PORT around COMMAND.
capture() {
    local file=$1 port=$2 snap=$3
    shift 3
    start_tcpdump "$file" "$port" "$snap"
    sleep 0.5
    "$@"
    stop_tcpdump "$file"
}

wait_port 8081
wait_port 8443

# 1. three URLs on one keep-alive connection: 200 (Content-Length), 200 (gzip, chunked), 404.
capture http-keepalive-nginx.pcap 8081 0 \
    curl -s --compressed -o /dev/null -o /dev/null -o /dev/null \
    http://127.0.0.1:8081/a.html http://127.0.0.1:8081/b.txt http://127.0.0.1:8081/missing

# 2. HEAD, then a conditional GET (If-Modified-Since equal to the file's mtime) answered 304.
two_requests() {
    curl -s -o /dev/null -I http://127.0.0.1:8082/a.html
    curl -s -o /dev/null -z 'Mon, 01 Jan 2024 00:00:00 GMT' http://127.0.0.1:8082/a.html
}
capture http-head-304.pcap 8082 0 two_requests

# 3. POST of a 3 KB body with Expect: 100-continue: interim 100, then 201.
python3 "$work/post_server.py" &
pids+=($!)
wait_port 8083
capture http-post-100-continue.pcap 8083 0 \
    curl -s -o /dev/null -H 'Expect: 100-continue' -H 'Content-Type: application/octet-stream' \
    --data-binary @"$work/www/upload.bin" http://127.0.0.1:8083/upload

# 4. three pipelined requests in one write.
capture http-pipelined.pcap 8084 0 python3 "$work/pipeline_client.py"

# 5. HTTP on port 2222 (python3 -m http.server).
(cd "$work/www" && exec python3 -m http.server 2222 --bind 127.0.0.1 2>/dev/null) &
pids+=($!)
wait_port 2222
capture http-nonstandard-port.pcap 2222 0 curl -s -o /dev/null http://127.0.0.1:2222/a.html

# 6. a keep-alive connection whose handshake happened before tcpdump started.
rm -f "$work/connected"
python3 "$work/midstream_client.py" "$work/connected" &
mid=$!
for i in $(seq 100); do
    [ -e "$work/connected" ] && break
    sleep 0.01
done
start_tcpdump http-midstream.pcap 8086 0
wait "$mid"
stop_tcpdump http-midstream.pcap
if tcpdump -r "$out/http-midstream.pcap" 'tcp[tcpflags] & tcp-syn != 0' 2>/dev/null | grep -q .; then
    echo "http-midstream.pcap: a SYN was captured: the connection was not up before tcpdump started" >&2
    exit 1
fi

# 7. Upgrade: websocket answered 101, one frame each way, close handshake.
python3 "$work/ws_server.py" &
pids+=($!)
wait_port 8087
capture http-websocket-upgrade.pcap 8087 0 python3 "$work/ws_client.py"

# 8. HTTP/1.0 response without Content-Length, delimited by the server's close.
python3 "$work/close_server.py" &
pids+=($!)
wait_port 8088
capture http-until-close.pcap 8088 0 curl -s -o /dev/null http://127.0.0.1:8088/stream

# 9. TLS 1.3 to nginx, one request.
capture tls-loopback.pcap 8443 0 curl -s -o /dev/null -k --tlsv1.3 https://127.0.0.1:8443/a.html

# 10. a 4 KB page captured with a 120-byte snapshot length.
capture http-snaplen.pcap 8089 120 curl -s -o /dev/null http://127.0.0.1:8089/page4k.html

# 11. a 40 KB body in many segments (client MSS 536, smallest receive buffer).
capture http-large-body.pcap 8090 0 python3 "$work/large_client.py"

cd "$out"
ls -l http-keepalive-nginx.pcap http-head-304.pcap http-post-100-continue.pcap http-pipelined.pcap \
    http-nonstandard-port.pcap http-midstream.pcap http-websocket-upgrade.pcap http-until-close.pcap \
    tls-loopback.pcap http-snaplen.pcap http-large-body.pcap
