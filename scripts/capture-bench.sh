#!/usr/bin/env bash
# Capture benchmark (not a test): the same bounded burst of small UDP datagrams on loopback, sent
# as fast as one python3 sender can, while `wiretale capture -i lo -w` runs, and again while
# `tcpdump -i lo -w` runs. Reports packets sent, captured (records in the file) and dropped
# (pcap_stats, as each tool prints it) side by side. Loopback only; needs root.
#
#   sudo scripts/capture-bench.sh                    # 200,000 datagrams, one round
#   N=500000 ROUNDS=3 sudo -E scripts/capture-bench.sh
#   WIRETALE_BIN=.build/release/wiretale sudo -E scripts/capture-bench.sh
#   PRINT=0 …                                        # skip the printing rows
#
# Without WIRETALE_BIN it builds and uses the release binary (swift build -c release).
set -euo pipefail

N=${N:-200000}
SIZE=${SIZE:-16}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-47999}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [[ $(id -u) -ne 0 ]]; then
    echo "capture-bench: needs root (capturing on lo): sudo -E $0" >&2
    exit 1
fi
if [[ -z "${WIRETALE_BIN:-}" ]]; then
    echo "building the release binary…" >&2
    (cd "$ROOT" && swift build -c release --product wiretale >&2)
    WIRETALE_BIN="$ROOT/.build/release/wiretale"
fi
TCPDUMP=$(command -v tcpdump || true)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One sender, as fast as it can; a bound receiver that never reads, so no ICMP port-unreachable
# replies join the burst. Prints the datagrams sent and the rate.
cat >"$TMP/send.py" <<'EOF'
import socket, sys, time
n, size, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind(("127.0.0.1", port))
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
tx.connect(("127.0.0.1", port))
payload = b"w" * size
send = tx.send
start = time.perf_counter()
sent = 0
for _ in range(n):
    try:
        send(payload)
        sent += 1
    except (BlockingIOError, ConnectionRefusedError):
        pass
elapsed = time.perf_counter() - start
print(f"{sent} {sent / elapsed:.0f}")
EOF

# Records in a pcap file (either byte order, micro- or nanosecond magic).
cat >"$TMP/count.py" <<'EOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    data = f.read()
magic = data[:4]
e = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off, n = 24, 0
while off + 16 <= len(data):
    caplen = struct.unpack_from(e + "I", data, off + 8)[0]
    off += 16 + caplen
    n += 1
print(n)
EOF

# measure MODE NAME READY-TEXT COMMAND…: start the capture, wait for READY-TEXT on its stderr, send
# the burst, let it drain, stop it with SIGINT, and print one row. MODE "file": the tool writes a
# pcap (-w) and "captured" is what the file holds; MODE "print": the tool decodes and prints every
# packet to /dev/null and "captured" is the count it reports.
measure() {
    local mode=$1 name=$2 ready=$3
    shift 3
    local err="$TMP/$name.err" file="$TMP/$name.pcap"
    rm -f "$file"
    if [ "$mode" = file ]; then
        "$@" -w "$file" "udp port $PORT" 2>"$err" &
    else
        "$@" "udp port $PORT" >/dev/null 2>"$err" &
    fi
    local pid=$!
    for _ in $(seq 100); do
        grep -q "$ready" "$err" 2>/dev/null && break
        sleep 0.05
    done
    local sent rate
    read -r sent rate < <(python3 "$TMP/send.py" "$N" "$SIZE" "$PORT")
    sleep 1
    kill -INT "$pid"
    wait "$pid" || true
    local captured dropped ifdropped
    if [ "$mode" = file ]; then
        captured=$(python3 "$TMP/count.py" "$file")
    else
        captured=$(grep -oE '^[0-9]+ packets captured' "$err" | grep -oE '^[0-9]+' || echo "-")
    fi
    dropped=$(grep -oE '[0-9]+ (packets )?dropped by kernel' "$err" | grep -oE '^[0-9]+' || echo "-")
    ifdropped=$(grep -oE '[0-9]+ (packets )?dropped by interface' "$err" | grep -oE '^[0-9]+' || echo "-")
    printf '%-26s %9s %11s %9s %9s %11s\n' "$name" "$sent" "$rate" "$captured" "$dropped" "$ifdropped"
}

echo "burst: $N UDP datagrams of $SIZE bytes to 127.0.0.1:$PORT from one python3 sender, $ROUNDS round(s)"
echo "wiretale: $WIRETALE_BIN"
echo "tcpdump:  ${TCPDUMP:-not installed} $([[ -n $TCPDUMP ]] && $TCPDUMP --version 2>&1 | head -1)"
printf '%-26s %9s %11s %9s %9s %11s\n' tool sent "sent/s" captured "kern-drop" "if-drop"
for round in $(seq "$ROUNDS"); do
    measure file "wiretale" "capturing on" "$WIRETALE_BIN" capture -i lo
    if [[ -n $TCPDUMP ]]; then
        measure file "tcpdump" "listening on" "$TCPDUMP" -i lo -n -Z root
        measure file "tcpdump-B32768" "listening on" "$TCPDUMP" -i lo -n -Z root -B 32768
    fi
done
if [[ ${PRINT:-1} == 1 ]]; then
    echo "printing every packet to /dev/null instead of -w (wiretale: 10 ms blocks, as into any pipe or file):"
    for round in $(seq "$ROUNDS"); do
        measure print "wiretale (text)" "capturing on" "$WIRETALE_BIN" capture -i lo
        measure print "wiretale --format json" "capturing on" "$WIRETALE_BIN" capture -i lo --format json
        measure print "wiretale --immediate" "capturing on" "$WIRETALE_BIN" capture -i lo --immediate
        if [[ -n $TCPDUMP ]]; then
            measure print "tcpdump -l" "listening on" "$TCPDUMP" -i lo -n -l
        fi
    done
fi
