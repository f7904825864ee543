#!/usr/bin/env python3
"""Mapping inputs for bench/bench.sh.

gen.py lines N LAST_TARGET_PORT [IPERF_TARGET_PORT]
    EGRESS_DESTINATION lines: optionally "20000 tcp 172.16.100.25 IPERF" first, then N-1 filler
    mappings 10000.. -> 172.16.100.25:9, and the used mapping LAST: "19999 tcp 172.16.100.25 LAST".
gen.py yaml N CHANGED_PORT HOST_NETNS BACKEND
    the native configuration with N TCP rules (10000.. -> 172.16.100.25:7900); rule N/2 targets
    CHANGED_PORT instead (a reload flips it).
"""
import sys

DST = "172.16.100.25"


def lines(n, last, iperf=None):
    out = []
    if iperf:
        out.append(f"20000 tcp {DST} {iperf}")
    out += [f"{10000 + i} tcp {DST} 9" for i in range(n - 1)]
    out.append(f"19999 tcp {DST} {last}")
    return "\n".join(out) + "\n"


def yaml(n, changed, netns, backend):
    out = ["homes:", "  - name: main", "    parent: nic0", "    mode: bridge",
           "    addresses: [192.168.12.99]", "    gateways: [192.168.12.1]", "    onLink: true", "rules:"]
    for i in range(n):
        port = changed if i == n // 2 else 7900
        out.append(f"  - {{protocol: tcp, port: {10000 + i}, destination: {DST}, targetPort: {port}}}")
    out += ["settings:", f"  backend: {backend}", f"  hostNetns: {netns}"]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if sys.argv[1] == "lines":
        sys.stdout.write(lines(int(sys.argv[2]), sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None))
    elif sys.argv[1] == "yaml":
        sys.stdout.write(yaml(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]))
    else:
        sys.exit("usage: gen.py lines N LAST [IPERF] | yaml N CHANGED NETNS BACKEND")
