#!/usr/bin/env bash
# Benchmark of the netfilter backends (nftables, iptables-nft, iptables-legacy), in throw-away namespaces:
# apply time for 1, 1,000 and 10,000 mappings; time to change one mapping among 10,000; verify and read
# counters at 10,000; new TCP connections per second through the router with 1 mapping and with 10,000
# (the used one last), and their ratio within the same run (target for nftables: >= 0.9). "nftables"
# is the backend as shipped (map elements over netlink), "nftables-nft" the same backend doing
# everything through nft, with the ratios of the two; then the library-level comparison (apply 10,000
# elements natively vs nft -f, change 1, read 10,000, read counters: rr-netfilter-bench native).
# Prints figures; not a test.
# Usage: scripts/bench-netfilter.sh [ROUNDS=3] [SECONDS=3] [BACKENDS=nftables,nftables-nft,iptables-nft,iptables-legacy]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
prepare_bench RedirectRouter.NetfilterBench rr-netfilter-bench
"$bench_binary" run "${1:-3}" "${2:-3}" "${3:-nftables,nftables-nft,iptables-nft,iptables-legacy}"
"$bench_binary" native "${1:-3}"
