#!/usr/bin/env python3
"""Compare `wiretale trace` step times with `curl -w` on the same URL, side by side.

Usage: scripts/compare-curl.py URL [--runs N] [--bin PATH] [--netns NAME] [--cacert FILE] [--insecure] [-L] [--wire] [--raw]

curl and wiretale run alternately, N times each (default 7); the table shows each figure's median in
milliseconds. The cumulative figures are curl's -w variables beside wiretale's JSON `timings` (the
same meanings; with -L both sum each hop's figure from that hop's start, total runs from the start):
  namelookup     time_namelookup     timings.namelookup_ms
  connect        time_connect        timings.connect_ms
  appconnect     time_appconnect     timings.appconnect_ms (TLS only)
  pretransfer    time_pretransfer    timings.pretransfer_ms
  starttransfer  time_starttransfer  timings.starttransfer_ms
  total          time_total          timings.total_ms
Then time to first byte: curl's time_starttransfer - time_pretransfer, and step c's ttfb_ms (from the
wire when wiretale captured, i.e. as root; its socket-level figure too). With --wire (root) a tcpdump
runs beside each curl and each wiretale run and the wire's TTFB (the request's last data segment to the
response's first) is shown for both.
curl's appconnect includes its own TLS library set-up before the ClientHello; wiretale builds its TLS
context before time 0. wiretale's figures also hold its own inspection between steps (route, link,
neighbour cache) that curl does not do.
--netns runs both inside `ip netns exec NAME` (e.g. the trace tests' wtt-client).
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time, urllib.parse


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--bin", default=os.path.join(root, ".build/release/wiretale"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--netns")
    ap.add_argument("--cacert")
    ap.add_argument("--insecure", action="store_true")
    ap.add_argument("-L", "--location", action="store_true",
                    help="follow redirects (both tools): DNS, connect and TLS where they happened, the last response")
    ap.add_argument("--raw", action="store_true", help="also print every run")
    ap.add_argument("--wire", action="store_true", help="also time each run's TTFB on the wire with tcpdump (root)")
    a = ap.parse_args()
    if not shutil.which("curl"):
        sys.exit("compare-curl: curl is not installed (apt-get install curl)")
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"compare-curl: {a.bin} not found: build it first (swift build -c release)")
    pre = ["ip", "netns", "exec", a.netns] if a.netns else []

    def parse(who, p):
        try:
            return json.loads(p.stdout)
        except ValueError:
            sys.exit(f"compare-curl: {who} printed no JSON (exit {p.returncode}): {p.stderr.strip()}")

    keys = ["namelookup", "connect", "appconnect", "pretransfer", "starttransfer", "total"]

    def curl():
        argv = pre + ["curl", "-s", "-o", "/dev/null", "-w", "%{json}"]
        argv += ["-k"] if a.insecure else []
        argv += ["-L"] if a.location else []
        argv += ["--cacert", a.cacert] if a.cacert else []
        j = parse("curl", subprocess.run(argv + [a.url], capture_output=True, text=True, timeout=120))
        if j.get("exitcode", 0) != 0:
            sys.exit(f"compare-curl: curl failed: {j.get('errormsg')}")
        r = {k: j["time_" + k] * 1000 for k in keys}
        if r["appconnect"] == 0:
            r["appconnect"] = None
        r["ttfb"] = r["starttransfer"] - r["pretransfer"]
        r["ttfb socket"] = None
        return r

    def wiretale():
        argv = pre + [a.bin, "trace", "--format", "json"]
        argv += ["--insecure"] if a.insecure else []
        argv += ["-L"] if a.location else []
        argv += ["--cacert", a.cacert] if a.cacert else []
        j = parse("wiretale", subprocess.run(argv + [a.url], capture_output=True, text=True, timeout=120))
        if j.get("result") != "ok":
            sys.exit(f"compare-curl: wiretale trace failed: {j.get('result')}")
        t = j["timings"]
        r = {k: t[k + "_ms"] for k in keys}
        last = max((st.get("hop", 0) for st in j["steps"]), default=0)
        c = next(st for st in j["steps"] if st["id"] == "http-response" and st.get("hop", 0) == last)
        r["ttfb"] = c["detail"].get("ttfb_ms")
        r["ttfb socket"] = c["detail"].get("ttfb_socket_ms", r["ttfb"])
        r["ttfb source"] = c["detail"].get("ttfb_source")
        return r

    def wire(run):
        """Runs `run` under tcpdump on lo (or in the namespace) and adds the wire's TTFB of the last
        request: its last client data segment to the first server data segment after it."""
        if not a.wire:
            return run()
        pcap = f"/tmp/compare-curl-{os.getpid()}.pcap"
        dump = subprocess.Popen(pre + ["tcpdump", "--immediate-mode", "-i", "any" if a.netns else "lo", "-U", "-w", pcap, "-s", "200",
                                       "tcp port " + str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        dump.stderr.readline()  # "listening on ...": the capture is open
        time.sleep(0.1)
        r = run()
        time.sleep(0.3)
        dump.terminate()
        dump.wait()
        out = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.time_relative", "-e", "tcp.srcport",
                              "-e", "tcp.len", "-e", "tcp.stream"], capture_output=True, text=True).stdout
        os.unlink(pcap)
        rows = [l.split("\t") for l in out.splitlines() if l.count("\t") == 3]
        rows = [(float(t), int(sp), int(n), int(st)) for t, sp, n, st in rows if n]
        last_stream = max((st for *_, st in rows), default=None)
        data = [x for x in rows if x[3] == last_stream and x[2] > 0]
        # The last burst from the client before the server's reply that ends the exchange.
        req = [x for x in data if x[1] != port]
        resp = [x for x in data if x[1] == port]
        r["ttfb wire"] = None
        if req and resp:
            # The response: the server's first data after the client's last data (a TLS 1.3 ticket
            # may come in between on TLS; it is shown as such by a small gap).
            last_req = max(x[0] for x in req)
            after = [x[0] for x in resp if x[0] >= last_req]
            if after:
                r["ttfb wire"] = (min(after) - last_req) * 1000
        return r

    u = urllib.parse.urlsplit(a.url)
    port = u.port or (443 if u.scheme == "https" else 80)
    rows = {"curl": [], "wiretale": []}
    for _ in range(a.runs):
        rows["curl"].append(wire(curl))
        rows["wiretale"].append(wire(wiretale))

    def median(who, k):
        v = [r.get(k) for r in rows[who] if r.get(k) is not None]
        return statistics.median(v) if v else None

    sources = {r.get("ttfb source") for r in rows["wiretale"]}
    print(f"{a.url}: {a.runs} runs each, alternating; median ms; wiretale's ttfb from: {', '.join(map(str, sources))}")
    print(f"{'figure':<16}{'curl -w':>10}{'wiretale':>10}{'diff':>9}")
    for k in keys + ["ttfb", "ttfb socket", "ttfb wire"]:
        c, w = median("curl", k), median("wiretale", k)
        if c is None and w is None:
            continue
        f = lambda v: f"{v:10.3f}" if v is not None else f"{'-':>10}"
        d = f"{w - c:+9.3f}" if c is not None and w is not None else f"{'':>9}"
        print(f"{k:<16}{f(c)}{f(w)}{d}")
    if a.wire:
        print("ttfb wire: each tool's own wire TTFB (tcpdump); wiretale's ttfb minus its wire ttfb, median: "
              + (lambda v: f"{statistics.median(v):+.3f}" if v else "-")(
                  [r["ttfb"] - r["ttfb wire"] for r in rows["wiretale"] if r.get("ttfb wire") is not None]))
    if a.raw:
        for who, runs in rows.items():
            for r in runs:
                print(who, {k: v if not isinstance(v, float) else round(v, 3) for k, v in r.items()})


if __name__ == "__main__":
    main()
