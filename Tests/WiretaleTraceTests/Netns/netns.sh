#!/usr/bin/env bash
# A small private internet for `wiretale trace` tests, in network namespaces of our own:
#
#   wtt-client (10.203.1.2, fd00:203:1::2)
#        | veth
#   wtt-router (10.203.1.1 | 10.203.2.1; fd00:203:1::1 | fd00:203:2::1)
#        | veth               10.203.3.0/24 blackholed (packets vanish: timeouts)
#   wtt-server (10.203.2.2, fd00:203:2::2)   10.203.4.0/24 unreachable (ICMP: no route)
#                                             fd00:203:3::/64 blackholed (brokenv6.wt.test's AAAA)
#        dnsmasq :53 (zone wt.test, never forwards), nginx :80 and :443 (certificate made here)
#
# Usage: netns.sh up [WATCH_PID] | down | status
#   up    idempotent: removes any stale copy, builds everything, waits until DNS and HTTP answer.
#         With WATCH_PID, a watchdog runs `down` once that process has exited.
#   down  removes the namespaces and stops the servers.
# Needs root, iproute2, dnsmasq, nginx, openssl (installed with apt-get when missing).
# Traffic stays inside these namespaces: dnsmasq has no upstream (--no-resolv) and only these
# addresses are ever used.
set -euo pipefail

DIR="${WTT_DIR:-/tmp/wiretale-trace-netns}"
C=wtt-client
R=wtt-router
S=wtt-server

log() { echo "netns.sh: $*" >&2; }

need_tools() {
    local missing=()
    command -v ip >/dev/null || missing+=(iproute2)
    command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v openssl >/dev/null || missing+=(openssl)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        timeout 300 apt-get update -qq >/dev/null 2>&1 || true
        timeout 300 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        # The Debian packages may start system-wide services; this test wants none of them.
        (systemctl stop nginx dnsmasq 2>/dev/null || true)
    fi
}

down() {
    for f in "$DIR"/nginx.pid "$DIR"/dnsmasq.pid "$DIR"/watchdog.pid; do
        [ -s "$f" ] || continue
        local pid
        pid=$(cat "$f")
        # The watchdog runs `down` itself (bash execs it in place): do not end the caller.
        if [ "$pid" != "$$" ] && [ "$pid" != "$PPID" ]; then kill "$pid" 2>/dev/null || true; fi
    done
    # Whatever still runs inside our namespaces is ours (dnsmasq, nginx, a stuck client): end it.
    for ns in $C $R $S; do
        for pid in $(ip netns pids $ns 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    done
    for ns in $C $R $S; do ip netns del $ns 2>/dev/null || true; done
    rm -rf /etc/netns/$C
    rm -f "$DIR"/nginx.pid "$DIR"/dnsmasq.pid "$DIR"/watchdog.pid
}

make_files() {
    mkdir -p "$DIR"/www "$DIR"/tmp "$DIR"/logs
    chmod 755 "$DIR" "$DIR"/www
    if [ ! -s "$DIR"/cert.pem ] || ! openssl x509 -checkend 3600 -noout -in "$DIR"/cert.pem >/dev/null 2>&1; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout "$DIR"/key.pem -out "$DIR"/cert.pem \
            -subj "/CN=www.wt.test/O=wiretale test" \
            -addext "subjectAltName=DNS:www.wt.test,DNS:alias.wt.test,DNS:v4only.wt.test,IP:10.203.2.2,IP:fd00:203:2::2" \
            >/dev/null 2>&1
    fi
    cat >"$DIR"/www/index.html <<'HTML'
<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>wiretale &amp; the notes</title>
<link rel="stylesheet" href="/style.css">
<link rel="icon" href="/favicon.ico">
<script src="/app.js"></script>
<script>var x = "<img src=not-a-resource.png>";</script>
</head><body>
<!-- <img src="commented-out.png"> -->
<h1>Visiting a website</h1>
<img src="/a.png" alt="a"><img src='/b.png'>
<a href="/notes.html">notes</a> <a href="https://www.wt.test/">secure</a>
</body></html>
HTML
    # A larger page, served gzip-compressed and chunked.
    {
        echo '<!DOCTYPE html><html><head><title>big page</title></head><body>'
        for i in $(seq 1 400); do echo "<p>line $i of the big page, to be compressed by gzip.</p>"; done
        echo '</body></html>'
    } >"$DIR"/www/big.html
    echo 'body { color: black; }' >"$DIR"/www/style.css
    chmod 644 "$DIR"/www/*
    cat >"$DIR"/nginx.conf <<NGINX
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/logs/error.log;
user root root;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $DIR/tmp/body;
    proxy_temp_path $DIR/tmp/proxy;
    fastcgi_temp_path $DIR/tmp/fastcgi;
    uwsgi_temp_path $DIR/tmp/uwsgi;
    scgi_temp_path $DIR/tmp/scgi;
    types { text/html html; text/css css; }
    default_type application/octet-stream;
    gzip on;
    gzip_min_length 100;
    gzip_types text/css;
    server {
        listen 80;
        listen [::]:80;
        listen 443 ssl;
        listen [::]:443 ssl;
        server_name _;
        ssl_certificate $DIR/cert.pem;
        ssl_certificate_key $DIR/key.pem;
        root $DIR/www;
        location = /redirect { return 301 /; }
        location = /redirect-twice { return 302 /redirect; }
        location = /to-https { return 301 https://www.wt.test/; }
        location = /error { return 500; }
    }
}
NGINX
}

up() {
    need_tools
    down
    make_files
    ip netns add $C
    ip netns add $R
    ip netns add $S
    ip link add wtt-c0 netns $C type veth peer name wtt-r0 netns $R
    ip link add wtt-r1 netns $R type veth peer name wtt-s0 netns $S
    for ns in $C $R $S; do ip -n $ns link set lo up; done
    ip -n $C addr add 10.203.1.2/24 dev wtt-c0
    ip -n $C addr add fd00:203:1::2/64 dev wtt-c0 nodad
    ip -n $C link set wtt-c0 up
    ip -n $C route add default via 10.203.1.1
    ip -n $C -6 route add default via fd00:203:1::1
    ip -n $R addr add 10.203.1.1/24 dev wtt-r0
    ip -n $R addr add fd00:203:1::1/64 dev wtt-r0 nodad
    ip -n $R addr add 10.203.2.1/24 dev wtt-r1
    ip -n $R addr add fd00:203:2::1/64 dev wtt-r1 nodad
    ip -n $R link set wtt-r0 up
    ip -n $R link set wtt-r1 up
    ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
    ip netns exec $R sysctl -qw net.ipv6.conf.all.forwarding=1
    # 10.203.3.0/24: a blackhole route, packets vanish without a word (SYN and DNS timeouts).
    ip -n $R route add blackhole 10.203.3.0/24
    # 10.203.4.0/24: the router answers "unreachable" (ICMP), the client's connect fails at once.
    ip -n $R route add unreachable 10.203.4.0/24
    # fd00:203:3::/64: an IPv6 blackhole, for a name whose IPv6 address is silently broken.
    ip -n $R -6 route add blackhole fd00:203:3::/64
    ip -n $S addr add 10.203.2.2/24 dev wtt-s0
    ip -n $S addr add fd00:203:2::2/64 dev wtt-s0 nodad
    # Extra addresses for the name whose answer is too big for 512 bytes of UDP.
    for i in $(seq 10 49); do ip -n $S addr add 10.203.2.$i/32 dev wtt-s0; done
    ip -n $S link set wtt-s0 up
    ip -n $S route add default via 10.203.2.1
    ip -n $S -6 route add default via fd00:203:2::1

    mkdir -p /etc/netns/$C
    printf 'nameserver 10.203.2.2\noptions timeout:1 attempts:2\n' >/etc/netns/$C/resolv.conf
    printf '127.0.0.1 localhost\n::1 localhost\n10.203.2.2 hosts-only.wt.test\n' >/etc/netns/$C/hosts

    local big=()
    for i in $(seq 10 49); do big+=(--host-record=big.wt.test,10.203.2.$i); done
    ip netns exec $S "$(command -v dnsmasq || echo /usr/sbin/dnsmasq)" \
        --conf-file=/dev/null --no-resolv --no-hosts --no-poll --bind-interfaces \
        --listen-address=10.203.2.2 --listen-address=fd00:203:2::2 --except-interface=lo \
        --user=root --group=root --pid-file="$DIR"/dnsmasq.pid --log-facility="$DIR"/logs/dnsmasq.log \
        --local=/wt.test/ --local-ttl=300 \
        --host-record=www.wt.test,10.203.2.2,fd00:203:2::2 \
        --host-record=v4only.wt.test,10.203.2.2 \
        --host-record=xn--bcher-kva.wt.test,10.203.2.2 \
        --host-record=blackhole.wt.test,10.203.3.5 \
        --host-record=unreach.wt.test,10.203.4.5 \
        --host-record=closed.wt.test,10.203.2.2 \
        --host-record=brokenv6.wt.test,10.203.2.2,fd00:203:3::5 \
        --cname=alias.wt.test,www.wt.test \
        "${big[@]}" </dev/null >/dev/null 2>>"$DIR"/logs/start.log
    ip netns exec $S "$(command -v nginx || echo /usr/sbin/nginx)" -c "$DIR"/nginx.conf -p "$DIR" -e "$DIR"/logs/error.log \
        </dev/null >/dev/null 2>>"$DIR"/logs/start.log

    # Wait (bounded) until IPv6 duplicate address detection is over everywhere (link-local
    # addresses too): a router whose fe80:: address is still tentative drops what it should forward.
    for _ in $(seq 1 50); do
        local tentative=""
        for ns in $C $R $S; do tentative+=$(ip -n $ns -6 addr show tentative); done
        [ -z "$tentative" ] && break
        sleep 0.1
    done
    # Wait (bounded) until the servers answer from the client's side.
    local ok=0
    for _ in $(seq 1 50); do
        if ip netns exec $C bash -c 'exec 3<>/dev/tcp/10.203.2.2/80' 2>/dev/null; then ok=1; break; fi
        sleep 0.1
    done
    [ $ok = 1 ] || { log "nginx did not come up"; cat "$DIR"/logs/error.log >&2 || true; exit 1; }
    # Warm nothing: the client's neighbour cache stays cold until a test sends a packet.
    if [ -n "${1:-}" ]; then
        local watched=$1
        setsid bash -c "while kill -0 $watched 2>/dev/null; do sleep 1; done; '$0' down" >"$DIR"/logs/watchdog.log 2>&1 </dev/null &
        echo $! >"$DIR"/watchdog.pid
    fi
    log "up: $C $R $S (files in $DIR)"
}

status() {
    ip netns list | grep -E "^wtt-" || echo "no wtt namespaces"
}

[ "$(id -u)" = 0 ] || { log "needs root"; exit 77; }
case "${1:-}" in
up) shift; up "${1:-}" ;;
down) down ;;
status) status ;;
*) echo "usage: $0 up [WATCH_PID] | down | status" >&2; exit 2 ;;
esac
