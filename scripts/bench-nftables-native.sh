#!/usr/bin/env bash
# Benchmark of the agent's map operations at 10,000 elements, natively over NETLINK_NETFILTER against the
# same operation through nft, in one throw-away namespace: apply 10,000 elements (vs nft -f of the same map),
# change 1 of 10,000, read (verify) 10,000, read the counters of 10,000; medians and nft/native ratios.
# Prints figures; not a test.
# Usage: scripts/bench-nftables-native.sh [ROUNDS=5]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
prepare_bench RedirectRouter.NetfilterBench rr-netfilter-bench
"$bench_binary" native "${1:-5}"
