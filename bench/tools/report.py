#!/usr/bin/env python3
"""Turns bench/bench.sh's raw results (TSV: section case round metric value) into the markdown
report and the PNG plot, and prints the key figures and the ratios as the last lines.

report.py RESULTS.tsv META.txt REPORT.md PLOT.png
"""
import collections
import os
import statistics
import sys

tsv, meta_path, report_path, png_path = sys.argv[1:5]
data = collections.defaultdict(list)          # (section, case, metric) -> [values]
by_round = collections.defaultdict(dict)      # (section, case, metric) -> {round: value}
for line in open(tsv):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 5:
        continue
    section, case, rnd, metric, value = parts
    try:
        v = float(value)
    except ValueError:
        continue
    data[(section, case, metric)].append(v)
    by_round[(section, case, metric)][rnd] = v
meta = dict(l.rstrip("\n").split("=", 1) for l in open(meta_path) if "=" in l)
# Throughput is measured in pairs (a direct run just before each case): "direct" is every one of them.
for (section, case, metric), values in list(data.items()):
    if case.startswith("direct-with-"):
        data[(section, "direct", metric)].extend(values)

COUNTS = [1, 100, 1000, 10000]


def med(key):
    v = data.get(key)
    return statistics.median(v) if v else None


def rng(key, fmt="{:.0f}"):
    v = data.get(key)
    if not v:
        return "–"
    m = statistics.median(v)
    if len(v) == 1:
        return fmt.format(m)
    return f"{fmt.format(m)} ({fmt.format(min(v))}–{fmt.format(max(v))})"


def pair_ratios(a, b):
    """The per-round ratios a/b."""
    ra, rb = by_round.get(a, {}), by_round.get(b, {})
    return [ra[r] / rb[r] for r in ra if r in rb and rb[r]]


def paired(a, b):
    """Per-round ratios a/b: (median, min, max) or None."""
    rs = pair_ratios(a, b)
    if not rs:
        return None
    return statistics.median(rs), min(rs), max(rs)


def pr(p, fmt="{:.2f}"):
    if not p:
        return "–"
    m, lo, hi = p
    return f"{fmt.format(m)}× ({fmt.format(lo)}–{fmt.format(hi)})"


def verdict(p, target, lower_is_better):
    if not p:
        return "not measured"
    ok = p[0] <= target if lower_is_better else p[0] >= target
    return ("MET" if ok else "NOT MET") + f" (target {'<=' if lower_is_better else '>='} {target})"


out = []
w = out.append
w(f"# RedirectRouter benchmark, {meta.get('date', '')}")
w("")
w(f"- Command: `{meta.get('command', './scripts/bench.sh')}` ({meta.get('mode', '')} mode: {meta.get('params', '')})")
w(f"- Machine: {meta.get('host', '')}")
w(f"- Tools: {meta.get('tools', '')}")
w(f"- Agent: {meta.get('agent', '')}")
w("- Method: the lab of `scripts/lab.sh` in throw-away namespaces (`rrbench-PID-*`); every traffic process, "
  "the agent and the OpenShift script pinned to CPU 0 (`taskset -c 0`), as in `/work/shared/research/baseline-perf.md`. "
  "Cases are interleaved round by round; figures are medians with (min–max) over the rounds; ratios are "
  "the median (min–max) of the per-round ratios of the same run. 2 vCPUs shared with other tenants: noisy.")
w("")

# ---- setup
w("## 1. Setup time to ready (ms, wall clock of `ip netns exec ... taskset -c 0 <method>`)")
w("")
w("Both start from the same state: `macvlan0` already in the router's namespace (as OpenShift 3's SDN left it), "
  "down and without an address, a default route via eth0, no netfilter rules. Mappings come from "
  "`EGRESS_DESTINATION_FILE` for both. *OpenShift script* = `bench/openshift-egress-router.sh` (its `ip` steps, "
  "`arping -A -c 1` which waits 1 s, `iptables -t nat -F`, one `iptables-restore` of the rules its bash loop "
  "generated). *ours* = `redirect-router init --backend B` (the published NativeAOT binary), which includes its 200 ms "
  "RFC 5227 address probe. Between runs: `redirect-router cleanup`, `nft flush ruleset`, macvlan0 re-made.")
w("")
w("| N mappings | OpenShift script | ours, nftables | ours, iptables | ours nft / script | ours ipt / script |")
w("|---:|---:|---:|---:|---:|---:|")
for n in COUNTS:
    k = f"n{n}"
    w(f"| {n} | {rng(('setup', 'peer', k))} | {rng(('setup', 'ours-nft', k))} | {rng(('setup', 'ours-ipt', k))} | "
      f"{pr(paired(('setup', 'ours-nft', k), ('setup', 'peer', k)))} | {pr(paired(('setup', 'ours-ipt', k), ('setup', 'peer', k)))} |")
w("")
w("Where our time goes (nftables; the agent's own log of `init`, ms) and, for reference, `init --probe-window 0` "
  "(no RFC 5227 probe, so not the default behaviour). The ruleset is applied by another process (nft, iptables-restore) "
  "while the network steps run, so the agent's time is about the longer of the two plus the announcement:")
w("")
w("| N | wall | the agent's own setup time | links, addresses, routes (incl. the 200 ms probe) | netfilter (alongside) | announce | wall with --probe-window 0 | its ratio to the script |")
w("|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in COUNTS:
    k = f"n{n}"
    w(f"| {n} | {rng(('setup', 'ours-nft', k))} | {rng(('setup-phase', 'phases', k))} | {rng(('setup-phase', 'network', k))} | "
      f"{rng(('setup-phase', 'netfilter', k))} | {rng(('setup-phase', 'announce', k))} | {rng(('setup', 'ours-nft-noprobe', k))} | "
      f"{pr(paired(('setup', 'ours-nft-noprobe', k), ('setup', 'peer', k)))} |")
w("")

# ---- data path
w("## 2. Data path: client → router → destination (pinned to CPU 0)")
w("")
w("*crr*: new connections per second, one at a time (connect, 64 B request, 64 B reply, the server's close), conntrack "
  "flushed before each run; the used mapping is the LAST of N (N−1 others before it), so a linear rule list is walked "
  "in full. *rr*: 64 B ping-pongs on one connection. *iperf3*: 1 TCP stream, 1 s warm-up left out, each case paired with a direct run next to it (before it in odd "
  "rounds, after it in even ones; throughput ratios to direct are within the pair). Cases: *direct* = "
  "routed by the router without NAT (no netfilter rules, conntrack off); *nft-N* / *ipt-N* = our router after `init "
  "--backend nftables|iptables` with N mappings (+1 for the iperf3 port, first); *haproxy* = haproxy `mode tcp`, 1 thread, "
  "`source 192.168.12.99`, in the router's namespace. Every case has its own destination port.")
w("")
w("| case | crr conn/s | crr p50 µs | rr p50 µs | rr p99 µs | iperf3 Gbit/s |")
w("|---|---:|---:|---:|---:|---:|")
cases = ["direct", "haproxy"] + [f"{b}-{n}" for b in ("nft", "ipt") for n in COUNTS]
for c in cases:
    w(f"| {c} | {rng(('data', c, 'crr'))} | {rng(('data', c, 'crr_p50'), '{:.0f}')} | {rng(('data', c, 'rr_p50'), '{:.1f}')} | "
      f"{rng(('data', c, 'rr_p99'), '{:.0f}')} | {rng(('data', c, 'gbps'), '{:.2f}')} |")
w("")
w("Same-run ratios (median of per-round ratios, min–max):")
w("")
w("| ratio | crr conn/s | iperf3 throughput | rr p50 latency (lower is better) |")
w("|---|---:|---:|---:|")
ratio_rows = [("nft-1", "direct"), ("nft-10000", "direct"), ("ipt-1", "direct"), ("ipt-10000", "direct"),
              ("nft-10000", "nft-1"), ("ipt-10000", "ipt-1"), ("haproxy", "direct"),
              ("nft-1", "haproxy"), ("nft-10000", "haproxy"), ("ipt-1", "haproxy"), ("ipt-10000", "haproxy")]
for a, b in ratio_rows:
    tb = f"direct-with-{a}" if b == "direct" else b
    w(f"| {a} / {b} | {pr(paired(('data', a, 'crr'), ('data', b, 'crr')))} | {pr(paired(('data', a, 'gbps'), ('data', tb, 'gbps')))} | "
      f"{pr(paired(('data', a, 'rr_p50'), ('data', b, 'rr_p50')))} |")
w("")

# ---- agent
w("## 3. The agent running (`redirect-router run --config FILE`, NativeAOT)")
w("")
idle_s = med(("agent", "idle", "seconds"))
w("| figure | value |")
w("|---|---:|")
w(f"| RSS after start-up, 1,000 mappings (nftables) | {rng(('agent', 'run-1000', 'rss_start_mib'), '{:.1f}')} MiB |")
w(f"| idle {idle_s:.0f} s: CPU | {rng(('agent', 'idle', 'cpu_pct'), '{:.3f}')} % ({rng(('agent', 'idle', 'cpu_ms'))} ms of CPU) |" if idle_s else "| idle | – |")
w(f"| idle: RSS at the end / threads | {rng(('agent', 'idle', 'rss_mib'), '{:.1f}')} MiB / {rng(('agent', 'idle', 'threads'))} |")
n_rel = len(data.get(("agent", "reload-1k", "reload_ms"), []))
w(f"| {n_rel} reloads, 1 mapping changed among 1,000: reload time (agent log) | {rng(('agent', 'reload-1k', 'reload_ms'), '{:.1f}')} ms |")
w(f"| same: rewrite → log line (wall, includes the file watcher) | {rng(('agent', 'reload-1k', 'reload_wall_ms'), '{:.1f}')} ms |")
w(f"| same: CPU during the reloads | {rng(('agent', 'reload-1k', 'cpu_s'), '{:.2f}')} s in {rng(('agent', 'reload-1k', 'elapsed_s'), '{:.1f}')} s ({rng(('agent', 'reload-1k', 'cpu_pct'), '{:.1f}')} %) |")
w(f"| same: RSS after / peak sampled / VmHWM | {rng(('agent', 'reload-1k', 'rss_end_mib'), '{:.1f}')} / {rng(('agent', 'reload-1k', 'rss_peak_mib'), '{:.1f}')} / {rng(('agent', 'reload-1k', 'hwm_mib'), '{:.1f}')} MiB |")
for b in ("nftables", "iptables"):
    k = f"reload-10k-{b}"
    w(f"| reload, 1 mapping changed among 10,000, {b} ({len(data.get(('agent', k, 'reload_ms'), []))}×) | {rng(('agent', k, 'reload_ms'), '{:.1f}')} ms (wall {rng(('agent', k, 'reload_wall_ms'), '{:.0f}')} ms) |")
    w(f"| RSS with 10,000 mappings, {b} | {rng(('agent', f'run-10000-{b}', 'rss_mib'), '{:.1f}')} MiB (VmHWM after reloads {rng(('agent', k, 'hwm_mib'), '{:.1f}')}) |")
for which in ("ours", "baseline"):
    if data.get(("agent", f"rss-idle-{which}-10000", "rss_mib")):
        w(f"| RSS of the idle agent ({which}), 1 / 1,000 / 10,000 mappings, nftables | {rng(('agent', f'rss-idle-{which}-1', 'rss_mib'), '{:.1f}')} / "
          f"{rng(('agent', f'rss-idle-{which}-1000', 'rss_mib'), '{:.1f}')} / {rng(('agent', f'rss-idle-{which}-10000', 'rss_mib'), '{:.1f}')} MiB |")
        w(f"| 100 scrapes of /metrics at 10,000 ({which}, with the endpoint's per-mapping counter series): processes started / RSS after / VmHWM | {rng(('agent', f'scrapes-{which}', 'processes'))} / "
          f"{rng(('agent', f'scrapes-{which}', 'rss_mib'), '{:.1f}')} / {rng(('agent', f'scrapes-{which}', 'hwm_mib'), '{:.1f}')} MiB |")
ours_reload, base_reload = med(("agent", "reload-10k-nftables", "reload_ms")), med(("agent", "reload-10k-nftables-baseline", "reload_ms"))
if base_reload:
    w(f"| reload, 1 mapping changed among 10,000, nftables, baseline build ({len(data.get(('agent', 'reload-10k-nftables-baseline', 'reload_ms'), []))}×) | "
      f"{rng(('agent', 'reload-10k-nftables-baseline', 'reload_ms'), '{:.1f}')} ms (wall {rng(('agent', 'reload-10k-nftables-baseline', 'reload_wall_ms'), '{:.0f}')} ms) |")
    if ours_reload:
        w(f"| ratio of the medians, this build / baseline | {ours_reload / base_reload:.3f}× |")
ours_setup, base_setup = med(("setup", "ours-nft", "n10000")), med(("setup", "baseline-nft", "n10000"))
if base_setup and ours_setup:
    w(f"| setup of 10,000 mappings (init, nftables): this build / baseline | {ours_setup:.0f} ms / {base_setup:.0f} ms = "
      f"{pr(paired(('setup', 'ours-nft', 'n10000'), ('setup', 'baseline-nft', 'n10000')))} |")
w("")
w("Repair latency (the agent repairs from netlink / nf_tables events): from just before the injecting command "
  "(its 2–3 ms spawn included) until `ip -j` / `nft -j`, polled every 5 ms (each poll is a process spawn, so the "
  "resolution is ~5–10 ms), sees the state back. *link* = macvlan0 back with its address and the default route.")
w("")
w("| fault | repetitions | median ms | max ms | timeouts (10 s) |")
w("|---|---:|---:|---:|---:|")
for kind, label in [("route", "delete the default route"), ("addr", "flush macvlan0's addresses"), ("link", "delete macvlan0"),
                    ("nft-flush", "flush the nftables table"), ("nft-delete", "delete the nftables table")]:
    v = data.get(("repair", kind, "repair_ms"), [])
    t = len(data.get(("repair", kind, "timeout"), []))
    w(f"| {label} | {len(v)} | {statistics.median(v):.1f} | {max(v):.1f} | {t} |" if v else f"| {label} | 0 | – | – | {t} |")
w("")

# ---- start-up
w("## 4. Start-up (hyperfine -N, `--help`)")
w("")
w("| build | median ms | min–max |")
w("|---|---:|---:|")
for k, label in [("aot", "NativeAOT (published binary)"), ("jit", "JIT (`dotnet redirect-router.dll`)")]:
    v = data.get(("startup", k, "ms"), [])
    if v:
        w(f"| {label} | {statistics.median(v):.1f} | {min(v):.1f}–{max(v):.1f} |")
w(f"\nBinary size: {rng(('meta', 'binary', 'size_mib'), '{:.1f}')} MiB.")
w("")

# ---- key figures
key = []
s1 = paired(("setup", "ours-nft", "n1"), ("setup", "peer", "n1"))
s10k = paired(("setup", "ours-nft", "n10000"), ("setup", "peer", "n10000"))
key.append(f"setup N=1: ours(nft) {rng(('setup', 'ours-nft', 'n1'))} ms vs OpenShift script {rng(('setup', 'peer', 'n1'))} ms: ratio {pr(s1)} -> {verdict(s1, 0.3, True)}")
key.append(f"setup N=10000: ours(nft) {rng(('setup', 'ours-nft', 'n10000'))} ms vs OpenShift script {rng(('setup', 'peer', 'n10000'))} ms: ratio {pr(s10k)} -> {verdict(s10k, 0.25, True)}")
s10ki = paired(("setup", "ours-ipt", "n10000"), ("setup", "peer", "n10000"))
key.append(f"setup N=10000 with --backend iptables: {rng(('setup', 'ours-ipt', 'n10000'))} ms, ratio {pr(s10ki)}")
key.append(f"setup without the 200 ms address probe (--probe-window 0, nft): N=1 {pr(paired(('setup', 'ours-nft-noprobe', 'n1'), ('setup', 'peer', 'n1')))}, "
           f"N=10000 {pr(paired(('setup', 'ours-nft-noprobe', 'n10000'), ('setup', 'peer', 'n10000')))}; agent's netfilter phase at N=10000: {rng(('setup-phase', 'netfilter', 'n10000'))} ms")
for b in ("nft", "ipt"):
    r = paired(("data", f"{b}-10000", "crr"), ("data", f"{b}-1", "crr"))
    key.append(f"conn/s {b}: 1 mapping {rng(('data', f'{b}-1', 'crr'))}, 10000 (last used) {rng(('data', f'{b}-10000', 'crr'))}: 10k/1 {pr(r)}")
for c in ("nft-1", "nft-10000", "ipt-1", "ipt-10000"):
    t = paired(("data", c, "gbps"), ("data", f"direct-with-{c}", "gbps"))
    h = paired(("data", c, "gbps"), ("data", "haproxy", "gbps"))
    cr = paired(("data", c, "crr"), ("data", "direct", "crr"))
    l = paired(("data", c, "rr_p50"), ("data", "direct", "rr_p50"))
    key.append(f"{c}: throughput/direct {pr(t)} -> {verdict(t, 0.95, False)}; /haproxy {pr(h)} -> {verdict(h, 1.0, False)}; "
               f"conn/s/direct {pr(cr)}; rr p50/direct {pr(l)}")
for b in ("nft", "ipt"):
    # Established flows never look at the mappings, so the 1- and 10,000-mapping pairs measure one path.
    rs = [v for c in (f"{b}-1", f"{b}-10000") for v in pair_ratios(("data", c, "gbps"), ("data", f"direct-with-{c}", "gbps"))]
    if rs:
        key.append(f"{b} throughput/direct, all {len(rs)} pairs of both mapping counts: median {statistics.median(rs):.2f}×, "
                   f"mean {statistics.mean(rs):.2f}× ({min(rs):.2f}–{max(rs):.2f})")
key.append(f"direct {rng(('data', 'direct', 'gbps'), '{:.2f}')} Gbit/s, {rng(('data', 'direct', 'crr'))} conn/s, rr p50 {rng(('data', 'direct', 'rr_p50'), '{:.1f}')} us; "
           f"haproxy {rng(('data', 'haproxy', 'gbps'), '{:.2f}')} Gbit/s, {rng(('data', 'haproxy', 'crr'))} conn/s, rr p50 {rng(('data', 'haproxy', 'rr_p50'), '{:.1f}')} us")
key.append(f"agent idle {idle_s or 0:.0f} s: CPU {rng(('agent', 'idle', 'cpu_pct'), '{:.3f}')} %, RSS {rng(('agent', 'idle', 'rss_mib'), '{:.1f}')} MiB; "
           f"{n_rel} reloads (1 of 1000): {rng(('agent', 'reload-1k', 'reload_ms'), '{:.1f}')} ms each, CPU {rng(('agent', 'reload-1k', 'cpu_pct'), '{:.1f}')} %, VmHWM {rng(('agent', 'reload-1k', 'hwm_mib'), '{:.1f}')} MiB")
key.append(f"reload 1 of 10000: nftables {rng(('agent', 'reload-10k-nftables', 'reload_ms'), '{:.1f}')} ms, iptables {rng(('agent', 'reload-10k-iptables', 'reload_ms'), '{:.1f}')} ms")
if data.get(("agent", "rss-idle-ours-10000", "rss_mib")):
    key.append(f"RSS idle 1/1000/10000: {rng(('agent', 'rss-idle-ours-1', 'rss_mib'), '{:.1f}')}/{rng(('agent', 'rss-idle-ours-1000', 'rss_mib'), '{:.1f}')}/"
               f"{rng(('agent', 'rss-idle-ours-10000', 'rss_mib'), '{:.1f}')} MiB (target <= 25 at 10000); 100 scrapes started {rng(('agent', 'scrapes-ours', 'processes'))} processes")
if base_reload and ours_reload:
    key.append(f"reload 1 of 10000, nftables: {ours_reload:.1f} ms vs baseline {base_reload:.1f} ms = {ours_reload / base_reload:.3f}x (target <= 10 ms and <= 0.05x)")
if data.get(("agent", "rss-idle-baseline-10000", "rss_mib")):
    key.append(f"baseline RSS idle 1/1000/10000: {rng(('agent', 'rss-idle-baseline-1', 'rss_mib'), '{:.1f}')}/{rng(('agent', 'rss-idle-baseline-1000', 'rss_mib'), '{:.1f}')}/"
               f"{rng(('agent', 'rss-idle-baseline-10000', 'rss_mib'), '{:.1f}')} MiB; its 100 scrapes started {rng(('agent', 'scrapes-baseline', 'processes'))} processes")
if base_setup and ours_setup:
    key.append(f"setup 10000 nftables: {ours_setup:.0f} ms vs baseline {base_setup:.0f} ms")
rep = []
for kind in ("route", "addr", "link", "nft-flush", "nft-delete"):
    v = data.get(("repair", kind, "repair_ms"), [])
    rep.append(f"{kind} {statistics.median(v):.0f}/{max(v):.0f}" if v else f"{kind} –")
key.append("repair median/max ms: " + ", ".join(rep))
a, j = data.get(("startup", "aot", "ms")), data.get(("startup", "jit", "ms"))
if a and j:
    key.append(f"start-up --help: NativeAOT {statistics.median(a):.1f} ms, JIT {statistics.median(j):.1f} ms ({statistics.median(j) / statistics.median(a):.1f}x)")

w("## Key figures and targets")
w("")
w("```")
out.extend(key)
w("```")
w("")
w(f"![setup time and connection rate against the number of mappings]({os.path.basename(png_path)})")
w("")
w(f"Raw data: `{os.path.basename(report_path)[:-3]}.tsv` (section, case, round, metric, value).")

# ---- plot
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8))
    colors = {"peer": "tab:blue", "ours-nft": "tab:orange", "ours-ipt": "tab:green", "ours-nft-noprobe": "tab:orange", "nft": "tab:orange", "ipt": "tab:green"}
    for case, label, style in [("peer", "OpenShift script (iptables-restore)", "o-"), ("ours-nft", "ours, nftables", "s-"), ("ours-ipt", "ours, iptables", "^-"),
                               ("ours-nft-noprobe", "ours, nftables, --probe-window 0", "s:")]:
        ys = [med(("setup", case, f"n{n}")) for n in COUNTS]
        lo = [min(data.get(("setup", case, f"n{n}"), [0])) for n in COUNTS]
        hi = [max(data.get(("setup", case, f"n{n}"), [0])) for n in COUNTS]
        if all(y is not None for y in ys):
            ax1.errorbar(COUNTS, ys, yerr=[[y - l for y, l in zip(ys, lo)], [h - y for y, h in zip(ys, hi)]], fmt=style, capsize=3, label=label, color=colors[case],
                         mfc="white" if case.endswith("noprobe") else None)
    ax1.set_xscale("log")
    ax1.set_ylim(bottom=0)
    ax1.set_xlabel("mappings")
    ax1.set_ylabel("setup time to ready, ms (median, min–max)")
    ax1.set_title("Setup time")
    ax1.grid(True, alpha=0.3)
    ax1.legend()
    for b, label, style in [("nft", "ours, nftables", "s-"), ("ipt", "ours, iptables", "^-")]:
        ys = [med(("data", f"{b}-{n}", "crr")) for n in COUNTS]
        if all(y is not None for y in ys):
            lo = [min(data[("data", f"{b}-{n}", "crr")]) for n in COUNTS]
            hi = [max(data[("data", f"{b}-{n}", "crr")]) for n in COUNTS]
            ax2.errorbar(COUNTS, ys, yerr=[[y - l for y, l in zip(ys, lo)], [h - y for y, h in zip(ys, hi)]], fmt=style, capsize=3, label=label, color=colors[b])
    for case, label, color in [("direct", "direct routing, no NAT", "grey"), ("haproxy", "haproxy (mode tcp)", "tab:red")]:
        m = med(("data", case, "crr"))
        if m:
            ax2.axhline(m, linestyle="--", color=color, label=label)
    ax2.set_xscale("log")
    ax2.set_ylim(bottom=0)
    ax2.set_xlabel("mappings (the used one last)")
    ax2.set_ylabel("new connections/s, one core (median, min–max)")
    ax2.set_title("Connection rate through the router")
    ax2.grid(True, alpha=0.3)
    ax2.legend(loc="lower left")
    fig.suptitle(f"RedirectRouter vs the OpenShift egress router script: {meta.get('mode', '')} run, {meta.get('date', '')[:16]}, pinned to CPU 0")
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)
except Exception as e:  # the report is still written
    print(f"plot failed: {e}", file=sys.stderr)

with open(report_path, "w") as f:
    f.write("\n".join(out) + "\n")
print(f"\nreport: {report_path}\nplot:   {png_path}\n")
print("\n".join(key))
