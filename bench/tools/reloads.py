#!/usr/bin/env python3
"""Reload timing of a running agent (`redirect-router run --config FILE`).

reloads.py CONFIG LOG PID N_MAPPINGS COUNT HOST_NETNS BACKEND LABEL
Rewrites CONFIG COUNT times (write to a temporary file, then rename, as a ConfigMap update does)
with one mapping's target port changed, and after each rewrite waits (at most 10 s) for one more
"configuration reloaded (... netfilter update) in X ms" line in LOG. Samples the agent's CPU time
(utime+stime) and RSS around the whole series. Prints TSV lines: LABEL  metric  value.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import gen  # noqa: E402

config, log, pid, n, count, netns, backend, label = sys.argv[1:9]
pid, n, count = int(pid), int(n), int(count)
pattern = re.compile(r"configuration reloaded \((\w+) netfilter update\) in ([0-9.]+) ms")
tick = os.sysconf("SC_CLK_TCK")


def reloads():
    with open(log, errors="replace") as f:
        return [(m.group(1), float(m.group(2))) for m in pattern.finditer(f.read())]


def cpu():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick


def status(key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


seen = len(reloads())
cpu0, t0 = cpu(), time.monotonic()
rss_peak = status("VmRSS")
walls = []
for i in range(count):
    text = gen.yaml(n, 7901 + ((i + 1) % 2), netns, backend)  # the initial file has 7901
    tmp = config + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    started = time.monotonic()
    os.rename(tmp, config)
    deadline = started + 10
    while time.monotonic() < deadline:
        now = reloads()
        if len(now) > seen:
            seen = len(now)
            walls.append((time.monotonic() - started) * 1000)
            break
        rss_peak = max(rss_peak, status("VmRSS"))
        time.sleep(0.005)
    else:
        print(f"{label}\terror\treload {i + 1} not seen within 10 s", file=sys.stderr)
        sys.exit(1)
elapsed = time.monotonic() - t0
cpu1 = cpu()
all_reloads = reloads()[-count:]
for kind, ms in all_reloads:
    print(f"{label}\treload_ms\t{ms}")
    print(f"{label}\treload_kind\t{kind}")
for w in walls:
    print(f"{label}\treload_wall_ms\t{w:.1f}")
print(f"{label}\tcpu_s\t{cpu1 - cpu0:.2f}")
print(f"{label}\telapsed_s\t{elapsed:.2f}")
print(f"{label}\tcpu_pct\t{100 * (cpu1 - cpu0) / elapsed:.1f}")
print(f"{label}\trss_end_mib\t{status('VmRSS'):.1f}")
print(f"{label}\trss_peak_mib\t{max(rss_peak, status('VmRSS')):.1f}")
print(f"{label}\thwm_mib\t{status('VmHWM'):.1f}")
