#!/usr/bin/env bash
# Figures of the shipping binary (the static NativeAOT build of scripts/publish.sh): size, that it
# has no NEEDED entries, that it runs alone in an empty root file system, the time of --help and
# version (hyperfine), and the idle RSS, threads and inotify watches of `run` supervising a router
# in a throw-away lab (rrbench-bin-PID-*), started from / as in a container without WORKDIR.
# Usage: scripts/bench-binary.sh [BINARY]   (default: publish to artifacts/ first)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the idle measurement runs the agent in a lab: run as root"
ensure_packages hyperfine

bin=${1:-}
if [ -z "$bin" ]; then
    ./scripts/publish.sh "$root/artifacts" >&2
    bin="$root/artifacts/redirect-router"
fi
bin=$(readlink -f "$bin")

prefix="rrbench-bin-$$-"
work=$(mktemp -d)
agent_pid=""
cleanup() {
    set +e
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
    if ip netns list | grep -q "^$prefix"; then "$root/scripts/lab.sh" down "$prefix" >/dev/null 2>&1; fi
    rm -rf "$work"
}
trap cleanup EXIT

printf '%-34s %s\n' "binary" "$bin"
printf '%-34s %s bytes (%s)\n' "size" "$(stat -c %s "$bin")" "$(du -h "$bin" | cut -f1)"
needed=$(objdump -p "$bin" | grep -c NEEDED || true)
printf '%-34s %s\n' "NEEDED entries (objdump -p)" "$needed"
[ "$needed" -eq 0 ] || die "the binary is not static"
! command -v file >/dev/null || printf '%-34s %s\n' "file" "$(file -b "$bin" | cut -d, -f1-4)"

# An empty root file system: only the binary, no /dev, /proc, /etc or libraries.
mkdir "$work/empty"
cp "$bin" "$work/empty/redirect-router"
out=$(chroot "$work/empty" /redirect-router version) || die "the binary does not run in an empty root file system"
printf '%-34s %s\n' "empty root fs: version" "$out"

hyperfine -N --warmup 3 --runs 30 --export-json "$work/help.json" "$bin --help" "$bin version" >/dev/null 2>&1 \
    || die "hyperfine failed"
python3 - "$work/help.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%-34s median %.1f ms, min %.1f ms (30 runs)" % (r["command"].split("/")[-1] + " time", r["median"] * 1000, r["min"] * 1000))
EOF

# Idle: `run` supervising a real router (the lab's), with metrics on; measured after 2 s and 10 s.
"$root/scripts/lab.sh" up "$prefix" >/dev/null
(cd / && exec ip netns exec "${prefix}router" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    EGRESS_SOURCE=192.168.12.99 EGRESS_GATEWAY=192.168.12.1 EGRESS_DESTINATION=$'8080 tcp 172.16.100.25 80' \
    EGRESS_ROUTER_PARENT=nic0 EGRESS_ROUTER_HOST_NETNS="/run/netns/${prefix}node" \
    "$bin" run --metrics 127.0.0.1:9100 --cleanup-on-exit) > "$work/agent.log" 2>&1 &
agent_pid=$!
t0=$(date +%s%N)
for _ in $(seq 1 100); do
    ip netns exec "${prefix}router" python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:9100/readyz", timeout=1)' 2>/dev/null && break
    kill -0 "$agent_pid" 2>/dev/null || { cat "$work/agent.log" >&2; die "the agent exited"; }
    sleep 0.05
done
printf '%-34s %s ms\n' "run: start to /readyz 200" "$(( ($(date +%s%N) - t0) / 1000000 ))"
# ip netns exec execs the agent: the pid is the agent's.
sleep 2
rss2=$(awk '/VmRSS/ {print $2}' /proc/"$agent_pid"/status)
sleep 8
rss10=$(awk '/VmRSS/ {print $2}' /proc/"$agent_pid"/status)
threads=$(find /proc/"$agent_pid"/task -mindepth 1 -maxdepth 1 | wc -l)
watches=$(cat /proc/"$agent_pid"/fdinfo/* 2>/dev/null | grep -c '^inotify wd:' || true)
printf '%-34s %s / %s MiB\n' "run: idle RSS after 2 s / 10 s" "$(awk -v k="$rss2" 'BEGIN { printf "%.1f", k / 1024 }')" "$(awk -v k="$rss10" 'BEGIN { printf "%.1f", k / 1024 }')"
printf '%-34s %s\n' "run: threads" "$threads"
printf '%-34s %s (working directory /)\n' "run: inotify watches" "$watches"
t0=$(date +%s%N)
kill -TERM "$agent_pid"
set +e; wait "$agent_pid"; code=$?; set -e
agent_pid=""
printf '%-34s exit %s after %s ms\n' "run: SIGTERM (with cleanup)" "$code" "$(( ($(date +%s%N) - t0) / 1000000 ))"
[ "$code" -eq 0 ] || { cat "$work/agent.log" >&2; die "the agent did not exit 0 on SIGTERM"; }
