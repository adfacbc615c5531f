#!/usr/bin/env python3
"""Compare `wiretale trace` step times with `curl -w` on the same URL, side by side.

Usage: scripts/compare-curl.py URL [--runs N] [--bin PATH] [--netns NAME] [--cacert FILE] [--insecure] [-L] [--raw]

curl and wiretale run alternately, N times each (default 7); the table shows each phase's median in
milliseconds. Phases, with curl's -w variables:
  dns         time_namelookup                         wiretale: step b's duration
  connect     time_connect - time_namelookup          step i's duration
  tls         time_appconnect - time_connect          the TLS step's duration
  first byte  time_starttransfer - time_pretransfer   step c's ttfb_ms
  download    time_total - time_starttransfer         step c's download_ms
  total       time_total                              from time 0 to the end of step c
curl's tls includes its own TLS library set-up before the ClientHello (a capture shows the gap after
the handshake's ACK); wiretale builds its TLS context before time 0. wiretale's total also holds its
own inspection between steps (route, link, neighbour cache) that curl does not do.
--netns runs both inside `ip netns exec NAME` (e.g. the trace tests' wtt-client).
"""
import argparse, json, os, shutil, statistics, subprocess, sys


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

    def curl():
        argv = pre + ["curl", "-s", "-o", "/dev/null", "-w", "%{json}"]
        argv += ["-k"] if a.insecure else []
        argv += ["-L"] if a.location else []
        argv += ["--cacert", a.cacert] if a.cacert else []
        j = parse("curl", subprocess.run(argv + [a.url], capture_output=True, text=True, timeout=120))
        if j.get("exitcode", 0) != 0:
            sys.exit(f"compare-curl: curl failed: {j.get('errormsg')}")
        ms = lambda k: j[k] * 1000
        dns, con, app = ms("time_namelookup"), ms("time_connect"), ms("time_appconnect")
        return {"dns": dns, "connect": con - dns, "tls": app - con if app > 0 else None,
                "first byte": ms("time_starttransfer") - ms("time_pretransfer"),
                "download": ms("time_total") - ms("time_starttransfer"), "total": ms("time_total")}

    def wiretale():
        argv = pre + [a.bin, "trace", "--format", "json"]
        argv += ["--insecure"] if a.insecure else []
        argv += ["-L"] if a.location else []
        argv += ["--cacert", a.cacert] if a.cacert else []
        j = parse("wiretale", subprocess.run(argv + [a.url], capture_output=True, text=True, timeout=120))
        if j.get("result") != "ok":
            sys.exit(f"compare-curl: wiretale trace failed: {j.get('result')}")
        # DNS, connect and TLS where they happened (a reused connection's hop skips them); the
        # response of the last hop.
        first = lambda i: next((st for st in j["steps"] if st["id"] == i and st["status"] == "ok"), None)
        last = max((st.get("hop", 0) for st in j["steps"]), default=0)
        c = next(st for st in j["steps"] if st["id"] == "http-response" and st.get("hop", 0) == last)
        dur = lambda st: st["duration_ms"] if st else None
        return {"dns": dur(first("dns")), "connect": dur(first("tcp")), "tls": dur(first("tls")),
                "first byte": c["detail"].get("ttfb_ms"), "download": c["detail"].get("download_ms"),
                "total": c["start_ms"] + c["duration_ms"]}

    rows = {"curl": [], "wiretale": []}
    for _ in range(a.runs):
        rows["curl"].append(curl())
        rows["wiretale"].append(wiretale())

    def median(who, k):
        v = [r[k] for r in rows[who] if r[k] is not None]
        return statistics.median(v) if v else None

    print(f"{a.url}: {a.runs} runs each, alternating; median ms")
    print(f"{'phase':<12}{'curl -w':>10}{'wiretale':>10}{'diff':>9}")
    for k in ["dns", "connect", "tls", "first byte", "download", "total"]:
        c, w = median("curl", k), median("wiretale", k)
        if c is None and w is None:
            continue
        f = lambda v: f"{v:10.2f}" if v is not None else f"{'-':>10}"
        d = f"{w - c:+9.2f}" if c is not None and w is not None else f"{'':>9}"
        print(f"{k:<12}{f(c)}{f(w)}{d}")
    if a.raw:
        for who, runs in rows.items():
            for r in runs:
                print(who, {k: None if v is None else round(v, 2) for k, v in r.items()})


if __name__ == "__main__":
    main()
