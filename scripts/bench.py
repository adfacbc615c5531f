#!/usr/bin/env python3
"""Benchmark wiretale against libpcap's own read loop (tcpdump) and tshark, side by side.

Usage: scripts/bench.py [--capture FILE] [--bin PATH] [--compare PATH] [--runs N] [--tshark]

--compare PATH adds the same wiretale commands for a second binary (say, the commit before a change)
to every round, so both are measured in one run on the same machine state; a closing block gives each
command's after/before ratio of wall and of CPU time (user+sys of the child, steadier on a busy machine).

Without --capture it writes the benchmark capture with ../shared/bench/gen_pcap.py
(--connections 25000 --dns 20000 --seed 7: 1.16 M packets, 738 MB) into /tmp.
Each command runs N times, in N rounds of all commands (best wall time kept; tshark once); peak
memory is the child's max RSS.
It prints one line per command and the ratios the project's goals are stated in.
"""
import argparse, os, shutil, subprocess, sys, time

def run(argv, stdout_devnull=True):
    best, rss = None, 0
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as null:
        p = subprocess.Popen(argv, stdout=null if stdout_devnull else subprocess.PIPE, stderr=null)
        _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    run.cpu = ru.ru_utime + ru.ru_stime
    return dt, ru.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    ap.add_argument("--capture")
    ap.add_argument("--bin", default=os.path.join(root, ".build/release/wiretale"))
    ap.add_argument("--compare", help="a second wiretale binary measured in the same rounds")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tshark", action="store_true", help="also time tshark -z conv,tcp (slow)")
    a = ap.parse_args()
    cap = a.capture
    if not cap:
        cap = "/tmp/wiretale-bench/big.pcap"
        if not os.path.exists(cap):
            gen = os.path.join(root, "..", "shared", "bench", "gen_pcap.py")
            if not os.path.exists(gen):
                sys.exit("bench: no --capture given and no ../shared/bench/gen_pcap.py to write one")
            os.makedirs(os.path.dirname(cap), exist_ok=True)
            print("writing %s ..." % cap, flush=True)
            subprocess.run([sys.executable, gen, cap, "--connections", "25000", "--dns", "20000", "--seed", "7"],
                           check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(a.bin):
        sys.exit("bench: %s not built (swift build -c release)" % a.bin)
    size = os.path.getsize(cap)
    packets = int(subprocess.run([a.bin, "read", cap, "--format", "none"], capture_output=True, text=True)
                  .stdout.split()[1].rstrip(","))
    print("capture %s: %d packets, %.0f MB" % (cap, packets, size / 1e6))
    cmds = []
    if shutil.which("tcpdump"):
        cmds += [("tcpdump -r -w /dev/null (libpcap bare read)", ["tcpdump", "-r", cap, "-w", "/dev/null"]),
                 ("tcpdump -n -r (text)", ["tcpdump", "-n", "-r", cap])]
    cmds += [("wiretale read (text)", [a.bin, "read", cap]),
             ("wiretale read --format json", [a.bin, "read", cap, "--format", "json"]),
             ("wiretale read --format none (decode only)", [a.bin, "read", cap, "--format", "none"])]
    sub = subprocess.run([a.bin, "--help"], capture_output=True, text=True).stdout
    if "conversations" in sub:
        cmds.append(("wiretale conversations", [a.bin, "conversations", cap]))
    if a.compare:
        if not os.path.exists(a.compare):
            sys.exit("bench: %s not found" % a.compare)
        mine = [(n, argv) for n, argv in cmds if n.startswith("wiretale")]
        cmds += [("before: " + n, [a.compare] + argv[1:]) for n, argv in mine]
    if a.tshark and shutil.which("tshark"):
        cmds.append(("tshark -n -q -z conv,tcp", ["tshark", "-n", "-q", "-r", cap, "-z", "conv,tcp"]))
    # Rounds, not runs in a row: each round runs every command once, so a burst of load from
    # elsewhere on the machine slows one round of everything rather than all runs of one command.
    # tshark (slow) runs in the first round only.
    times = {name: [] for name, _ in cmds}
    cpus = {name: [] for name, _ in cmds}
    rss = {name: 0.0 for name, _ in cmds}
    codes = {name: 0 for name, _ in cmds}
    for round_ in range(a.runs):
        print("round %d of %d ..." % (round_ + 1, a.runs), file=sys.stderr, flush=True)
        for name, argv in cmds:
            if name.startswith("tshark") and round_ > 0:
                continue
            dt, r, code = run(argv)
            times[name].append(dt)
            cpus[name].append(run.cpu)
            rss[name] = max(rss[name], r)
            codes[name] = code or codes[name]
    results = {}
    for name, _ in cmds:
        best = min(times[name])
        results[name] = (best, rss[name])
        print("%-52s %7.3f s  cpu %7.3f s  %6.2f Mpkt/s  peak %6.1f MiB  exit %d" % (
            name, best, min(cpus[name]), packets / best / 1e6, rss[name], codes[name]), flush=True)
    def ratio(a_, b_):
        if a_ in results and b_ in results:
            return results[a_][0] / results[b_][0]
    bare = "tcpdump -r -w /dev/null (libpcap bare read)"
    lines = []
    r = ratio("wiretale read (text)", "tcpdump -n -r (text)")
    if r is not None:
        lines.append("read text / tcpdump text        = %.3f  (goal <= 0.20)" % r)
    r = ratio("wiretale read --format none (decode only)", bare)
    if r is not None:
        lines.append("decode only / libpcap bare read = %.2fx (goal <= 2)" % r)
    r = ratio("wiretale conversations", bare)
    if r is not None:
        lines.append("conversations / libpcap bare    = %.2fx (goal <= 2.5)" % r)
    r = ratio("tshark -n -q -z conv,tcp", "wiretale conversations")
    if r is not None:
        lines.append("tshark conv / conversations     = %.1fx (goal >= 25)" % r)
    if a.compare:
        lines.append("after / before (best wall, best cpu), %d rounds:" % a.runs)
        for name, _ in cmds:
            if name.startswith("wiretale") and "before: " + name in results:
                lines.append("  %-44s wall %.3f  cpu %.3f" % (
                    name, results[name][0] / results["before: " + name][0],
                    min(cpus[name]) / min(cpus["before: " + name])))
    peak = max(v[1] for k, v in results.items() if k.startswith("wiretale"))
    lines.append("wiretale peak memory            = %.1f MiB (goal < 64)" % peak)
    print("\n".join(lines))

if __name__ == "__main__":
    main()
