#!/usr/bin/env bash
# The product benchmark, in a throw-away lab (namespaces rrbench-PID-*), against the OpenShift egress
# router's method (bench/openshift-egress-router.sh), haproxy and plain routing, with same-run ratios:
#   1. setup time to ready for 1, 100, 1,000 and 10,000 mappings: our `init` vs the OpenShift script,
#      both from the same state (macvlan0 already in the router's namespace, a default route via eth0,
#      no netfilter rules), interleaved rounds;
#   2. data path, client -> router -> destination: new connections per second with 1, 100, 1,000 and
#      10,000 mappings per backend (the used mapping last), and TCP throughput (iperf3) and request
#      latency (64-byte ping-pong) for direct routing (no NAT), our router (1 and 10,000 mappings,
#      nftables and iptables) and haproxy (mode tcp) in the router's namespace; interleaved rounds,
#      and each throughput run paired with a direct run next to it;
#   3. the agent (`run`): RSS and CPU while idle and during config reloads (1 mapping changed among
#      1,000), reload time for 1 changed mapping among 10,000, repair latency per fault kind; RSS of
#      the idle agent with 1, 1,000 and 10,000 mappings (nftables) and the processes 100 /metrics
#      scrapes start at 10,000; with --baseline-bin, the same agent figures and the setup times of
#      another build of the agent (e.g. the previous release) in the same run, with ratios;
#   4. start-up time of the NativeAOT binary against the JIT build (hyperfine, --help).
# Everything that runs traffic is pinned to CPU 0 (taskset), as in the baseline research.
# Writes bench/results/bench-YYYYMMDD-HHMMSS.md (+ .png, + .tsv raw data); the key figures and the
# ratios are the last lines printed.
# Usage: scripts/bench.sh [--quick] [--rounds N] [--setup-rounds N] [--idle SECONDS] [--reloads N]
#                         [--repairs N] [--out DIR] [--bin BINARY] [--baseline-bin BINARY]
#                         [--sections setup,data,agent,startup] [--setup-methods peer,ours-nft,...]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the benchmark creates network namespaces: run as root"

args="$*"
quick=0 rounds="" setup_rounds="" idle="" reload_count="" repairs="" outdir="$root/bench/results" bin="" baseline_bin=""
sections="setup,data,agent,startup" setup_methods=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --rounds) rounds=$2; shift ;;
        --setup-rounds) setup_rounds=$2; shift ;;
        --idle) idle=$2; shift ;;
        --reloads) reload_count=$2; shift ;;
        --repairs) repairs=$2; shift ;;
        --out) outdir=$2; shift ;;
        --bin) bin=$2; shift ;;
        --baseline-bin) baseline_bin=$(readlink -f "$2"); shift ;;
        --sections) sections=$2; shift ;;
        --setup-methods) setup_methods=${2//,/ }; shift ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
if [ "$quick" -eq 1 ]; then
    : "${rounds:=2}" "${setup_rounds:=3}" "${idle:=10}" "${reload_count:=100}" "${repairs:=3}"
    crr_s=1.5 iperf_s=2 tput_rounds=2 rr_count=10000 reload10k_reps=3 hyper_runs=10 rss_settle=5
else
    : "${rounds:=5}" "${setup_rounds:=5}" "${idle:=60}" "${reload_count:=100}" "${repairs:=20}"
    crr_s=3 iperf_s=4 tput_rounds=8 rr_count=20000 reload10k_reps=10 hyper_runs=30 rss_settle=20
fi

ensure_packages iperf3 haproxy iputils-arping hyperfine python3-matplotlib gcc strace rsync
ensure_dotnet
py=/usr/bin/python3   # Debian's, which has matplotlib
tools="$root/bench/tools"
binroot="$root/bench/.bin"
mkdir -p "$binroot" "$outdir"

# --- builds: in a private copy of the tree, so that builds of other people in the repository are not disturbed.
build_tree="/tmp/rr-bench-build-$(id -u)"
# Rebuilt when missing or older than any source file (.cs, .csproj, .props) of the product or the lab tool.
stale() { [ ! -e "$1" ] || [ -n "$(find src tests/RedirectRouter.Lab Directory.Build.props Directory.Packages.props \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' -newer "$1" -print -quit)" ]; }
# Only what this run uses: the NativeAOT agent unless --bin names one, the JIT build for the start-up section.
need_aot=$([ -z "$bin" ] && echo 1 || echo 0)
need_jit=$(case ",$sections," in *,startup,*) echo 1 ;; *) echo 0 ;; esac)
if { [ "$need_aot" = 1 ] && stale "$binroot/aot/redirect-router"; } || { [ "$need_jit" = 1 ] && stale "$binroot/jit/redirect-router.dll"; } || stale "$binroot/rr-lab/rr-lab"; then
    log "building in $build_tree ($([ "$need_aot" = 1 ] && echo "NativeAOT publish, ")$([ "$need_jit" = 1 ] && echo "JIT build, ")lab tool)"
    rsync -a --delete --exclude bin --exclude obj --exclude .git --exclude bench "$root/" "$build_tree/"
    [ "$need_aot" = 0 ] || (cd "$build_tree" && dotnet publish src/RedirectRouter.Cli -c Release -o "$binroot/aot" --nologo -v quiet -clp:ErrorsOnly >&2)
    [ "$need_jit" = 0 ] || (cd "$build_tree" && dotnet build src/RedirectRouter.Cli -c Release -o "$binroot/jit" --nologo -v quiet -clp:ErrorsOnly >&2)
    (cd "$build_tree" && dotnet build tests/RedirectRouter.Lab -c Release -o "$binroot/rr-lab" --nologo -v quiet -clp:ErrorsOnly >&2)
fi
[ -n "$bin" ] || bin="$binroot/aot/redirect-router"
bin=$(readlink -f "$bin")
[ -x "$bin" ] || die "no agent binary at $bin"
[ -z "$baseline_bin" ] || [ -x "$baseline_bin" ] || die "no baseline agent binary at $baseline_bin"
want() { case ",$sections," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
lab="$binroot/rr-lab/rr-lab"
gcc -O2 -Wall -o "$binroot/rrbench" "$tools/rrbench.c"
rrb="$binroot/rrbench"

# --- the lab, its processes, and the traps that remove them.
P="rrbench-$$-"
R="${P}router" C="${P}client" D="${P}dst" N="${P}node" G="${P}gw"
work=$(mktemp -d /tmp/rrbench.XXXXXX)
stamp=$(date +%Y%m%d-%H%M%S)
tsv="$work/results.tsv"
: > "$tsv"
pids=()
cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    # Whatever is still running inside our own namespaces (e.g. the OpenShift script's delayed arping).
    for ns in $(ip netns list | awk -v p="$P" 'index($1, p) == 1 { print $1 }'); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    "$lab" down "$P" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pin() { local ns=$1; shift; ip netns exec "$ns" taskset -c 0 "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000 )) | awk '{ printf "%.1f", $1 / 1000 }'; }
rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >> "$tsv"; }   # section case round metric value

log "lab up: ${P}{client,router,node,seg,gw,dst}"
"$lab" up "$P" >/dev/null
ip netns exec "$R" sysctl -q -w net.ipv4.ip_forward=1
ip -n "$G" route add 10.128.0.0/24 via 192.168.12.99    # the no-NAT "direct" case only

# Servers in the destination: rrbench on 7800-7809 (one port per case: no 4-tuple is shared between
# cases, see the research's PAWS note) and one iperf3 server per case on 5201-5210.
pin "$D" "$rrb" server 7800,7801,7802,7803,7804,7805,7806,7807,7808,7809 7200 > "$work/rrbench-server.out" &
pids+=($!)
for k in 0 1 2 3 4 5 6 7 8 9; do
    pin "$D" iperf3 -s -p $((5201 + k)) > /dev/null 2>&1 &
    pids+=($!)
done
for _ in $(seq 1 100); do grep -q ready "$work/rrbench-server.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$work/rrbench-server.out" || die "rrbench server did not start"

agent_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin EGRESS_SOURCE=192.168.12.99 EGRESS_GATEWAY=192.168.12.1
    EGRESS_ROUTER_PARENT=nic0 EGRESS_ROUTER_HOST_NETNS="/run/netns/$N" EGRESS_ROUTER_MACVLAN_MODE=bridge)

# The state both setup methods start from: what OpenShift 3's SDN left (macvlan0 on the node NIC, down,
# no address), a default route via eth0, no netfilter rules, no conntrack entries, the gateway's
# neighbour entry for the egress IP forgotten.
reset_router() {
    "$bin" cleanup --netns "$R" > /dev/null 2>&1 || true
    ip netns exec "$R" nft flush ruleset
    ip -n "$R" link del macvlan0 2>/dev/null || true
    ip -n "$R" route replace default via 10.128.0.1 dev eth0
    if [ "${1:-}" != "--no-macvlan" ]; then
        ip -n "$N" link add macvlan0 link nic0 type macvlan mode bridge
        ip -n "$N" link set macvlan0 netns "$R"
    fi
    ip -n "$G" neigh flush dev eth0
    ip netns exec "$R" conntrack -F > /dev/null 2>&1 || true
}

# The network part only (the OpenShift script's ip steps), for the cases without NAT.
plain_network() {
    ip -n "$R" addr add 192.168.12.99/32 dev macvlan0
    ip -n "$R" link set up dev macvlan0
    ip -n "$R" route add 192.168.12.1/32 dev macvlan0
    ip -n "$R" route replace default via 192.168.12.1 dev macvlan0
}

mapfile_for() { # N LAST_PORT [IPERF_PORT] -> file
    local f="$work/map-$1-$2-${3:-x}.txt"
    [ -f "$f" ] || "$py" "$tools/gen.py" lines "$1" "$2" ${3:+"$3"} > "$f"
    echo "$f"
}

ours_init() { # BACKEND FILE [EXTRA INIT ARGUMENTS]   (the binary: $init_bin, default $bin)
    pin "$R" "${agent_env[@]}" EGRESS_DESTINATION_FILE="$2" EGRESS_ROUTER_MODE=init "${init_bin:-$bin}" init --backend "$1" "${@:3}" > "$work/init.log" 2>&1 \
        || { cat "$work/init.log" >&2; die "our init failed"; }
}

peer_init() { # FILE
    pin "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin EGRESS_SOURCE=192.168.12.99 EGRESS_GATEWAY=192.168.12.1 \
        EGRESS_DESTINATION_FILE="$1" EGRESS_ROUTER_MODE=init BENCH_BG_PIDFILE="$work/peer-bg.pid" \
        bash "$root/bench/openshift-egress-router.sh" > "$work/peer.log" 2>&1 \
        || { cat "$work/peer.log" >&2; die "the OpenShift script failed"; }
}

stop_peer_bg() { # the delayed arping subshell, by its PID
    [ -f "$work/peer-bg.pid" ] && kill "$(cat "$work/peer-bg.pid")" 2>/dev/null || true
    rm -f "$work/peer-bg.pid"
}

# One end-to-end check before any timing: a connection through our router reaches the destination.
reset_router
ours_init nftables "$(mapfile_for 1 7802 5203)"
out=$(pin "$C" "$rrb" crr 10.128.0.2 19999 0.2 50) || die "no connection through our router: $out"
log "check OK: client -> 10.128.0.2:19999 -> router (our init) -> 172.16.100.25:7802 ($out)"

counts=(1 100 1000 10000)

# ---------------------------------------------------------------- 1. setup time
[ -n "$setup_methods" ] || setup_methods="peer ours-nft ours-ipt ours-nft-noprobe${baseline_bin:+ baseline-nft}"
want setup && {
log "setup time: ${setup_rounds} interleaved rounds x N in ${counts[*]} x {${setup_methods}}"
for r in $(seq 1 "$setup_rounds"); do
    for n in "${counts[@]}"; do
        f=$(mapfile_for "$n" 7802)
        for method in $setup_methods; do
            reset_router
            t0=$(date +%s%N)
            case $method in
                peer) peer_init "$f" ;;
                ours-nft) ours_init nftables "$f" ;;
                ours-ipt) ours_init iptables "$f" ;;
                ours-nft-noprobe) ours_init nftables "$f" --probe-window 0 ;;
                baseline-nft) init_bin=$baseline_bin ours_init nftables "$f" ;;
            esac
            ms=$(( ($(date +%s%N) - t0) / 1000 ))
            if [ "$method" = ours-nft ]; then   # the agent's own phase timings
                rec setup-phase phases "$r" "n$n" "$(sed -nE 's/^router set up in ([0-9.]+) ms.*/\1/p' "$work/init.log")"
                rec setup-phase network "$r" "n$n" "$(sed -nE 's/.*setup: links, addresses, routes and rules done in ([0-9.]+) ms.*/\1/p' "$work/init.log")"
                rec setup-phase netfilter "$r" "n$n" "$(sed -nE 's/.*setup: netfilter .* done in ([0-9.]+) ms.*/\1/p' "$work/init.log")"
                rec setup-phase announce "$r" "n$n" "$(sed -nE 's/.*setup: announce done in ([0-9.]+) ms.*/\1/p' "$work/init.log")"
            fi
            stop_peer_bg
            rec setup "$method" "$r" "n$n" "$(awk -v u="$ms" 'BEGIN { printf "%.1f", u / 1000 }')"
        done
    done
    printf '  round %s: %s\n' "$r" "$(awk -F'\t' -v r="$r" '$1 == "setup" && $3 == r { printf "%s/%s=%s ", $2, $4, $5 }' "$tsv")" >&2
done

}

# ---------------------------------------------------------------- 2. data path
want data && {
# Case k uses rrbench port 7800+k and iperf3 port 5201+k in the destination.
cases=(direct haproxy nft-1 nft-100 nft-1000 nft-10000 ipt-1 ipt-100 ipt-1000 ipt-10000)
full_cases=" direct haproxy nft-1 nft-10000 ipt-1 ipt-10000 "   # the others get crr only
haproxy_pid=""
start_haproxy() { # CRR_PORT IPERF_PORT
    cat > "$work/haproxy.cfg" <<EOF
global
    nbthread 1
    maxconn 4000
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
listen crr
    bind 10.128.0.2:19999
    source 192.168.12.99
    server dst 172.16.100.25:$1
listen iperf
    bind 10.128.0.2:20000
    source 192.168.12.99
    server dst 172.16.100.25:$2
EOF
    pin "$R" haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.log" 2>&1 &
    haproxy_pid=$!
    pids+=("$haproxy_pid")
    for _ in $(seq 1 100); do
        ip netns exec "$R" bash -c 'exec 3<>/dev/tcp/10.128.0.2/19999' 2>/dev/null && return 0
        sleep 0.02
    done
    cat "$work/haproxy.log" >&2
    die "haproxy did not start"
}
stop_haproxy() {
    [ -n "$haproxy_pid" ] || return 0
    kill "$haproxy_pid" 2>/dev/null || true
    wait "$haproxy_pid" 2>/dev/null || true
    haproxy_pid=""
}

log "data path: ${rounds} interleaved rounds x ${#cases[@]} cases (crr ${crr_s} s, rr ${rr_count} ping-pongs), pinned to CPU 0"
for r in $(seq 1 "$rounds"); do
    # Rotate the order from round to round, so that no case always follows the same one.
    for i in $(seq 0 $(( ${#cases[@]} - 1 ))); do
        k=$(( (i + r - 1) % ${#cases[@]} ))
        case=${cases[$k]}
        crr_port=$((7800 + k)) iperf_port=$((5201 + k))
        host=10.128.0.2 crr_dst=19999
        case $case in
            direct) reset_router; plain_network; host=172.16.100.25 crr_dst=$crr_port ;;
            haproxy) reset_router; plain_network; start_haproxy "$crr_port" "$iperf_port" ;;
            nft-*) reset_router; ours_init nftables "$(mapfile_for "${case#nft-}" "$crr_port" "$iperf_port")" ;;
            ipt-*) reset_router; ours_init iptables "$(mapfile_for "${case#ipt-}" "$crr_port" "$iperf_port")" ;;
        esac
        # Warm-up (ARP, caches), then conntrack flushed, then the new-connection rate.
        pin "$C" "$rrb" crr "$host" "$crr_dst" 0.2 200 > /dev/null || die "$case: warm-up failed"
        ip netns exec "$R" conntrack -F > /dev/null 2>&1 || true
        out=$(pin "$C" "$rrb" crr "$host" "$crr_dst" "$crr_s" 30000) || die "$case: crr failed: $out"
        rec data "$case" "$r" crr "$(sed -E 's/.*conn_per_s=([0-9.]+).*/\1/' <<<"$out")"
        rec data "$case" "$r" crr_p50 "$(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$out")"
        line="$case: crr $(sed -E 's/.*conn_per_s=([0-9.]+).*/\1/' <<<"$out")/s"
        if [[ "$full_cases" == *" $case "* ]]; then
            out=$(pin "$C" "$rrb" rr "$host" "$crr_dst" "$rr_count" 10) || die "$case: rr failed: $out"
            rec data "$case" "$r" rr_p50 "$(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$out")"
            rec data "$case" "$r" rr_p99 "$(sed -E 's/.*p99_us=([0-9.]+).*/\1/' <<<"$out")"
            line="$line, rr p50 $(sed -E 's/.*p50_us=([0-9.]+).*/\1/' <<<"$out") us"
        fi
        [ "$case" = haproxy ] && stop_haproxy
        printf '  round %s %s\n' "$r" "$line" >&2
    done
done

# Throughput varies by ±10 % from minute to minute on shared vCPUs, as much as the cost being measured
# (conntrack and NAT per packet), so each case is paired with a direct run next to it (before it in odd
# rounds, after it in even ones), and the ratio is taken within the pair.
iperf_gbps() { # HOST PORT CASE
    pin "$C" timeout $((iperf_s + 15)) iperf3 -c "$1" -p "$2" -t "$iperf_s" -O 1 -J > "$work/iperf.json" \
        || die "$3: iperf3 failed: $(head -c 400 "$work/iperf.json")"
    "$py" -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' "$work/iperf.json"
}
tput_cases=(haproxy nft-1 nft-10000 ipt-1 ipt-10000)
log "throughput: ${tput_rounds} rounds x {direct and CASE, in turn first} for CASE in ${tput_cases[*]} (iperf3 ${iperf_s} s + 1 s warm-up), pinned to CPU 0"
for r in $(seq 1 "$tput_rounds"); do
    line=""
    for i in $(seq 0 $(( ${#tput_cases[@]} - 1 ))); do
        case=${tput_cases[$(( (i + r - 1) % ${#tput_cases[@]} ))]}
        k=0
        for j in "${!cases[@]}"; do [ "${cases[$j]}" = "$case" ] && k=$j; done
        direct_port=5201 iperf_port=$((5201 + k)) crr_port=$((7800 + k))
        # Odd rounds run direct first, even rounds the case first, so that a drift during the run
        # does not always favour the same side of the pair.
        for side in $([ $((r % 2)) -eq 1 ] && echo "direct case" || echo "case direct"); do
            reset_router
            if [ "$side" = direct ]; then
                plain_network
                direct=$(iperf_gbps 172.16.100.25 "$direct_port" direct)
                continue
            fi
            case $case in
                haproxy) plain_network; start_haproxy "$crr_port" "$iperf_port" ;;
                nft-*) ours_init nftables "$(mapfile_for "${case#nft-}" "$crr_port" "$iperf_port")" ;;
                ipt-*) ours_init iptables "$(mapfile_for "${case#ipt-}" "$crr_port" "$iperf_port")" ;;
            esac
            gbps=$(iperf_gbps 10.128.0.2 20000 "$case")
            [ "$case" = haproxy ] && stop_haproxy
        done
        rec data "$case" "$r" gbps "$gbps"
        rec data "direct-with-$case" "$r" gbps "$direct"
        line="$line $case $gbps (direct $direct)"
    done
    printf '  round %s iperf3 Gbit/s:%s\n' "$r" "$line" >&2
done

}

# ---------------------------------------------------------------- 3. the agent running
want agent && {
agent_pid=""
start_agent() { # CONFIG LOG [EXTRA RUN ARGUMENTS]   (the binary: $agent_bin, default $bin)
    reset_router --no-macvlan
    (cd / && exec ip netns exec "$R" taskset -c 0 "${agent_bin:-$bin}" run --config "$1" "${@:3}") > "$2" 2>&1 &
    agent_pid=$!
    pids+=("$agent_pid")
    for _ in $(seq 1 400); do
        if grep -q 'ready: router set up' "$2"; then
            sleep 0.5
            return 0
        fi
        kill -0 "$agent_pid" 2>/dev/null || { cat "$2" >&2; die "the agent exited"; }
        sleep 0.05
    done
    cat "$2" >&2
    die "the agent did not set the router up within 20 s"
}
stop_agent() {
    [ -n "$agent_pid" ] || return 0
    kill -TERM "$agent_pid" 2>/dev/null || true
    wait "$agent_pid" 2>/dev/null || true
    agent_pid=""
}
proc_cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
proc_mib() { awk -v k="$2" '$1 == k":" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

log "agent: idle ${idle} s, then ${reload_count} reloads (1 mapping changed among 1,000)"
cfg="$work/agent.yaml"
"$py" "$tools/gen.py" yaml 1000 7901 "/run/netns/$N" nftables > "$cfg"
start_agent "$cfg" "$work/agent-1k.log"
rec agent run-1000 1 rss_start_mib "$(proc_mib "$agent_pid" VmRSS)"
c0=$(proc_cpu "$agent_pid"); t0=$(date +%s%N)
sleep "$idle"
c1=$(proc_cpu "$agent_pid"); t1=$(date +%s%N)
tck=$(getconf CLK_TCK)
rec agent idle 1 cpu_pct "$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v k="$tck" 'BEGIN { printf "%.3f", 100 * (c / k) / (t / 1e9) }')"
rec agent idle 1 cpu_ms "$(awk -v c=$((c1 - c0)) -v k="$tck" 'BEGIN { printf "%.0f", 1000 * c / k }')"
rec agent idle 1 seconds "$idle"
rec agent idle 1 rss_mib "$(proc_mib "$agent_pid" VmRSS)"
rec agent idle 1 threads "$(ls "/proc/$agent_pid/task" | wc -l)"
"$py" "$tools/reloads.py" "$cfg" "$work/agent-1k.log" "$agent_pid" 1000 "$reload_count" "/run/netns/$N" nftables reload-1k \
    | while IFS=$'\t' read -r label metric value; do rec agent "$label" 1 "$metric" "$value"; done
stop_agent

log "agent: reload of 1 changed mapping among 10,000 (${reload10k_reps} times per backend)"
for backend in nftables iptables; do
    "$py" "$tools/gen.py" yaml 10000 7901 "/run/netns/$N" "$backend" > "$cfg"
    start_agent "$cfg" "$work/agent-10k-$backend.log"
    rec agent "run-10000-$backend" 1 rss_mib "$(proc_mib "$agent_pid" VmRSS)"
    "$py" "$tools/reloads.py" "$cfg" "$work/agent-10k-$backend.log" "$agent_pid" 10000 "$reload10k_reps" "/run/netns/$N" "$backend" "reload-10k-$backend" \
        | while IFS=$'\t' read -r label metric value; do rec agent "$label" 1 "$metric" "$value"; done
    stop_agent
done

log "agent: repair latency, ${repairs} repetitions per fault kind"
"$py" "$tools/gen.py" yaml 1 7901 "/run/netns/$N" nftables > "$cfg"
start_agent "$cfg" "$work/agent-repair.log"
for kind in route addr link nft-flush nft-delete; do
    "$py" "$tools/repair.py" "$R" "$kind" "$repairs" \
        | while IFS=$'\t' read -r label metric value; do rec repair "$label" 1 "$metric" "$value"; done
done
stop_agent

# RSS of the idle agent by number of mappings, and what 100 scrapes of /metrics start (strace sees every
# execve of a child); with --baseline-bin the same for the other build, and its reload of 1 among 10,000.
for which in ours ${baseline_bin:+baseline}; do
    agent_bin=$bin
    [ "$which" = baseline ] && agent_bin=$baseline_bin
    log "agent ($which): RSS idle with 1, 1,000 and 10,000 mappings (nftables, ${rss_settle} s settle); 100 scrapes at 10,000"
    for n in 1 1000 10000; do
        "$py" "$tools/gen.py" yaml "$n" 7901 "/run/netns/$N" nftables > "$cfg"
        start_agent "$cfg" "$work/agent-rss-$which-$n.log"
        sleep "$rss_settle"
        rec agent "rss-idle-$which-$n" 1 rss_mib "$(proc_mib "$agent_pid" VmRSS)"
        if [ "$n" -eq 10000 ]; then
            # The scrapes need the endpoint; its per-mapping counter series are extra memory, reported apart.
            stop_agent
            start_agent "$cfg" "$work/agent-scrapes-$which.log" --metrics 127.0.0.1:9464
            strace -f -qq -e trace=execve -o "$work/scrapes-$which.strace" -p "$agent_pid" 2>/dev/null &
            strace_pid=$!
            sleep 1
            # A scrape the endpoint drops is counted, not fatal (an older build may drop one while it lists).
            scrape_failures=$(ip netns exec "$R" "$py" -c '
import urllib.request
failed = 0
for _ in range(100):
    try:
        urllib.request.urlopen("http://127.0.0.1:9464/metrics", timeout=10).read()
    except OSError:
        failed += 1
print(failed)')
            rec agent "scrapes-$which" 1 failures "$scrape_failures"
            [ "$scrape_failures" -eq 0 ] || log "agent ($which): $scrape_failures of 100 scrapes got no answer"
            sleep 11   # the counter refresher reads at most once per 10 s after a scrape: let one read happen
            kill "$strace_pid" 2>/dev/null; wait "$strace_pid" 2>/dev/null || true
            rec agent "scrapes-$which" 1 processes "$(grep -c 'execve(' "$work/scrapes-$which.strace" || true)"
            rec agent "scrapes-$which" 1 rss_mib "$(proc_mib "$agent_pid" VmRSS)"
            rec agent "scrapes-$which" 1 hwm_mib "$(proc_mib "$agent_pid" VmHWM)"
        fi
        stop_agent
    done
    if [ "$which" = baseline ]; then
        "$py" "$tools/gen.py" yaml 10000 7901 "/run/netns/$N" nftables > "$cfg"
        start_agent "$cfg" "$work/agent-10k-baseline.log"
        "$py" "$tools/reloads.py" "$cfg" "$work/agent-10k-baseline.log" "$agent_pid" 10000 "$reload10k_reps" "/run/netns/$N" nftables "reload-10k-nftables-baseline" \
            | while IFS=$'\t' read -r label metric value; do rec agent "$label" 1 "$metric" "$value"; done
        stop_agent
    fi
done
agent_bin=""
}

# ---------------------------------------------------------------- 4. start-up
want startup && {
log "start-up: hyperfine, ${hyper_runs} runs, --help of the NativeAOT binary and of the JIT build"
hyperfine -N --warmup 3 --runs "$hyper_runs" --export-json "$work/hyperfine.json" \
    "$bin --help" "dotnet $binroot/jit/redirect-router.dll --help" > /dev/null 2>&1 || die "hyperfine failed"
"$py" - "$work/hyperfine.json" <<'EOF' >> "$tsv"
import json, sys
for r, name in zip(json.load(open(sys.argv[1]))["results"], ["aot", "jit"]):
    for t in r["times"]:
        print("startup\t%s\t1\tms\t%.2f" % (name, t * 1000))
EOF
}
rec meta binary 1 size_mib "$(awk -v s="$(stat -c %s "$bin")" 'BEGIN { printf "%.1f", s / 1048576 }')"

# ---------------------------------------------------------------- report
report="$outdir/bench-$stamp.md"
cp "$tsv" "$outdir/bench-$stamp.tsv"
{
    echo "date=$(date -Iseconds)"
    echo "host=$(uname -r), $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "tools=iptables $(iptables --version | awk '{ print $2, $3 }'), $(nft --version), $(iperf3 --version | head -1 | awk '{ print $1, $2 }'), $(haproxy -v | head -1 | awk '{ print $1, $3 }')"
    echo "agent=$("$bin" --version 2>/dev/null | head -1) ($bin)"
    [ -z "$baseline_bin" ] || echo "baseline=$("$baseline_bin" --version 2>/dev/null | head -1) ($baseline_bin)"
    echo "sections=$sections"
    echo "mode=$([ "$quick" -eq 1 ] && echo quick || echo full)"
    echo "params=setup rounds $setup_rounds; data-path rounds $rounds; crr ${crr_s} s; iperf3 ${iperf_s} s in ${tput_rounds} pairs with direct; rr ${rr_count}; idle ${idle} s; reloads ${reload_count}; reload-10k reps ${reload10k_reps}; repairs ${repairs}; hyperfine runs ${hyper_runs}"
    echo "command=./scripts/bench.sh${args:+ $args}"
} > "$work/meta.txt"
"$py" "$tools/report.py" "$tsv" "$work/meta.txt" "$report" "$outdir/bench-$stamp.png"
