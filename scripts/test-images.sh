#!/usr/bin/env bash
# The image test (./scripts/test.sh --images, and always under CI):
#   1. builds Dockerfile.rhel7 and Dockerfile.centos with buildah, offline (--network none, no
#      registry), with local stand-in images (debootstrap minbase) as SDK_IMAGE and BASE_IMAGE;
#   2. runs the static binary alone in an empty (scratch) image;
#   3. builds a lab in throw-away namespaces (rrimg-PID-*) and runs the rhel7 image as
#      images/kubernetes/egress-router-run.yaml does: an init container (NET_ADMIN, NET_RAW,
#      SYS_ADMIN, the node's netns mounted) makes the macvlan, then the long-running agent (run) in a
#      container with NET_ADMIN and NET_RAW only, a read-only root, the default seccomp profile, no
#      new privileges and no node netns: it adopts the macvlan, serves /readyz on the pod's address,
#      repairs drift, reports a deleted macvlan as not ready, and exits 0 on SIGTERM; then the
#      centos image as the OpenShift entrypoint (EGRESS_ROUTER_MODE=init) with only NET_ADMIN,
#      NET_RAW and SYS_ADMIN under a seccomp profile that answers EPERM to clone3; each time, traffic
#      from the app pod must reach the destination with the egress IP.
# The stand-in images and the container storage are kept in RR_IMAGES_STATE (default
# /var/tmp/redirect-router-images) so a second run skips the debootstraps; remove it to start over.
# Containers config (runc, ulimits, storage) lives there too: nothing in /etc is changed.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
report_errors
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the image test needs root (podman, buildah, network namespaces)"

ensure_packages podman buildah runc debootstrap
ensure_dotnet

state=${RR_IMAGES_STATE:-/var/tmp/redirect-router-images}
mirror=${RR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
sdk_image=localhost/rr-standin-sdk:10.0
base_image=localhost/rr-standin-el7:$suite
tag_rhel7=localhost/redirect-router:rhel7-test
tag_centos=localhost/redirect-router:centos-test
prefix="rrimg-$$-"
run_id="rrimg-$$"

mkdir -p "$state/conf" "$state/debs"
# runc, not crun (crun refuses this host's hybrid cgroup layout); explicit ulimits (podman's root
# defaults exceed the session's hard limits); a private store; no registry lookups at all.
cat > "$state/conf/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
cat > "$state/conf/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$state/storage"
runroot = "$state/run"
EOF
cat > "$state/conf/registries.conf" <<EOF
unqualified-search-registries = []
short-name-mode = "disabled"
EOF
cat > "$state/conf/policy.json" <<EOF
{"default": [{"type": "insecureAcceptAnything"}]}
EOF
export CONTAINERS_CONF="$state/conf/containers.conf" CONTAINERS_STORAGE_CONF="$state/conf/storage.conf" \
    CONTAINERS_REGISTRIES_CONF="$state/conf/registries.conf" BUILDAH_ISOLATION=oci
policy=(--signature-policy "$state/conf/policy.json")

work=$(mktemp -d)
servers=()
cleanup() {
    local status=$?
    set +e
    trap - ERR
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done
    podman rm -f -t 0 "$run_id-run" "$run_id-init" >/dev/null 2>&1
    buildah rm "$run_id-extract" "$run_id-scratch" >/dev/null 2>&1
    if ip netns list | grep -q "^$prefix"; then "$root/scripts/lab.sh" down "$prefix" >/dev/null 2>&1; fi
    for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix"); do ip netns del "$ns"; done
    rm -rf "$work"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- stand-in images (a stand-in only: CI cannot fetch EL7 or Microsoft's SDK image) -------------
debootstrap_image() { # NAME PACKAGES [EXTRA-SETUP-FUNCTION]
    local name=$1 packages=$2 setup=${3:-} rootfs="$work/rootfs-${1//[:\/]/_}" t
    podman image exists "$name" && { log "stand-in $name: present"; return 0; }
    t=$(date +%s%N)
    log "stand-in $name: debootstrap $suite minbase + $packages"
    debootstrap --variant=minbase --cache-dir="$state/debs" --include="$packages" "$suite" "$rootfs" "$mirror" \
        > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin
    [ -z "$setup" ] || "$setup" "$rootfs"
    tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$name" >/dev/null
    rm -rf "$rootfs"
    log "stand-in $name: $(( $(ms_since "$t") / 1000 )) s, $(podman image inspect -f '{{.Size}}' "$name" | numfmt --to=iec)"
}
add_dotnet() { # the host's SDK, as in Microsoft's image
    local dotnet_root
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    mkdir -p "$1/usr/share/dotnet"
    cp -a "$dotnet_root/." "$1/usr/share/dotnet/"
    ln -sf /usr/share/dotnet/dotnet "$1/usr/bin/dotnet"
}
# The base stand-in has what TOOLS would install on EL7 (iptables) and no yum: INSTALL_TOOLS=no.
debootstrap_image "$base_image" iptables
debootstrap_image "$sdk_image" clang,llvm,binutils,zlib1g-dev,libicu72,ca-certificates add_dotnet

# --- the two Dockerfiles, offline ----------------------------------------------------------------
# Restore is served from the host's NuGet cache (filled by the host build, and by publish.sh below).
log "static binary on the host (fills the NuGet cache the offline builds use)"
./scripts/publish.sh "$work/host" 2>&1 | tail -1
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}
for spec in "Dockerfile.rhel7 $tag_rhel7" "Dockerfile.centos $tag_centos"; do
    read -r file tag <<<"$spec"
    t=$(date +%s%N)
    log "buildah bud -f $file (SDK_IMAGE=$sdk_image BASE_IMAGE=$base_image INSTALL_TOOLS=no, --network none)"
    if ! buildah bud --pull-never --network none --layers "${policy[@]}" \
            -v "$nuget:/root/.nuget/packages" \
            --build-arg SDK_IMAGE="$sdk_image" --build-arg BASE_IMAGE="$base_image" --build-arg INSTALL_TOOLS=no \
            -f "$file" -t "$tag" . > "$work/build.log" 2>&1; then
        tail -40 "$work/build.log" >&2
        die "building $file failed"
    fi
    # The smoke RUN in the Dockerfile prints nothing when its layer comes from the cache (an earlier
    # build of the same sources), so the version is asked of the image itself.
    cached=$(grep -c 'Using cache' "$work/build.log" || true)
    version=$(podman run --rm --network none --entrypoint /usr/local/bin/redirect-router "$tag" --version) \
        || die "$tag: redirect-router --version failed in the image"
    log "$file -> $tag: $(( $(ms_since "$t") / 1000 )) s ($cached steps from the layer cache), $(podman image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec), redirect-router --version: $version"
done
[ "$(podman image inspect -f '{{json .Config.Entrypoint}}' "$tag_rhel7")" = '["/usr/local/bin/redirect-router"]' ] \
    || die "the rhel7 image's ENTRYPOINT is not the agent"
for tag in "$tag_rhel7" "$tag_centos"; do
    workdir=$(podman image inspect -f '{{.Config.WorkingDir}}' "$tag")
    owner=$(podman run --rm --network none --entrypoint /usr/bin/stat "$tag" -c '%u:%g %a' "$workdir")
    [ "$owner" = "0:0 755" ] || die "$tag: the working directory $workdir is '$owner', not root-owned 0755"
done
log "working directory of both images: root-owned 0755 ($(podman image inspect -f '{{.Config.WorkingDir}}' "$tag_rhel7"))"

# The binary as built in the image: static, and alone in an empty root file system.
ctr=$(buildah from --pull-never --name "$run_id-extract" "$tag_rhel7")
mnt=$(buildah mount "$ctr")
cp "$mnt/usr/local/bin/redirect-router" "$work/redirect-router"
buildah umount "$ctr" >/dev/null; buildah rm "$ctr" >/dev/null
objdump -p "$work/redirect-router" | grep -q NEEDED && die "the image's binary has NEEDED entries"
ctr=$(buildah from --name "$run_id-scratch" scratch)
buildah copy "$ctr" "$work/redirect-router" /redirect-router >/dev/null
buildah commit -q "$ctr" localhost/redirect-router:scratch-test >/dev/null; buildah rm "$ctr" >/dev/null
out=$(podman run --rm --network none --entrypoint /redirect-router localhost/redirect-router:scratch-test version) \
    || die "the static binary does not run in an empty root file system"
log "empty root file system (scratch image, one file): $out; image's binary: $(du -h "$work/redirect-router" | cut -f1), no NEEDED entries"
out=$(podman run --rm --network none -e EGRESS_ROUTER_MODE=unit-test -e EGRESS_SOURCE=192.168.12.99 \
    -e EGRESS_GATEWAY=192.168.12.1 -e EGRESS_DESTINATION=$'80 tcp 10.4.5.6\n203.0.113.9' "$tag_centos")
[[ "$(echo "$out" | tail -1)" =~ ^-A\ POSTROUTING\ (-o\ macvlan0\ )?-j\ SNAT\ --to-source\ 192\.168\.12\.99$ ]] \
    || die "unit-test mode: unexpected output: $out"
log "entrypoint with EGRESS_ROUTER_MODE=unit-test (no privilege): $(echo "$out" | wc -l) iptables lines, as the OpenShift script"

# --- the lab ----------------------------------------------------------------------------------------
log "lab in ${prefix}*"
"$root/scripts/lab.sh" up "$prefix" >/dev/null
for spec in "tcp 80" "udp 53" "tcp 9000"; do
    # shellcheck disable=SC2086
    ip netns exec "${prefix}dst" timeout 300 python3 "$root/scripts/lib/traffic.py" serve $spec 300 & servers+=($!)
done
check() { # KIND PORT WHAT
    local answer
    answer=$(ip netns exec "${prefix}client" timeout 15 python3 "$root/scripts/lib/traffic.py" ask "$1" 10.128.0.2 "$2" 10 2>&1) \
        || die "$3: no answer ($answer)"
    [[ "$answer" == 192.168.12.99* ]] || die "$3: the destination saw '$answer', not the egress IP"
    printf '    app pod %s 10.128.0.2:%s (%s) -> destination saw %s\n' "$1" "$2" "$3" "$answer" >&2
}
http_get() { # URL: status and body, from the router pod's namespace (the kubelet's view of the pod)
    ip netns exec "${prefix}router" timeout 5 python3 -c '
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(sys.argv[1], timeout=3); print(r.status, r.read().decode()[:2000])
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode()[:200])' "$1"
}
common_env=(-e EGRESS_SOURCE=192.168.12.99 -e EGRESS_GATEWAY=192.168.12.1 -e EGRESS_ROUTER_PARENT=nic0
    -e EGRESS_ROUTER_HOST_NETNS=/host/proc/1/ns/net)
netns_mounts=(--network "ns:/run/netns/${prefix}router" -v "/run/netns/${prefix}node:/host/proc/1/ns/net")

# 1. rhel7 image as images/kubernetes/egress-router-run.yaml: the init container makes the router,
#    the long-running agent keeps it with NET_ADMIN and NET_RAW only.
# As in the manifests: a read-only root with an in-memory /run (iptables' lock; podman's automatic
# tmpfs on /tmp and /var/tmp is turned off, Kubernetes has none), no new privileges, the runtime's
# default seccomp profile.
locked_down=(--read-only --read-only-tmpfs=false --tmpfs /run:rw,size=1m --security-opt no-new-privileges)
setup_caps=(--cap-drop all --cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_ADMIN)
run_caps=(--cap-drop all --cap-add NET_ADMIN --cap-add NET_RAW)
run_env=(-e EGRESS_SOURCE=192.168.12.99 -e EGRESS_GATEWAY=192.168.12.1 -e EGRESS_ROUTER_PARENT=nic0
    -e EGRESS_DESTINATION=$'8080 tcp 172.16.100.25 80\n53 udp 172.16.100.25')
pod_ip=10.128.0.2  # what the downward API gives as POD_IP: --metrics $(POD_IP):9100
macvlan_index() { ip -n "${prefix}router" -o link show macvlan0 2>/dev/null | cut -d: -f1; }
wait_ready() { # EXPECTED-STATUS WHAT: poll /readyz (the container must stay up)
    local answer="" _
    for _ in $(seq 1 150); do
        [ "$(podman inspect -f '{{.State.Running}}' "$run_id-run")" = true ] || { podman logs "$run_id-run" >&2; die "$2: the agent exited"; }
        answer=$(http_get "http://$pod_ip:9100/readyz" 2>/dev/null || true)
        [[ "$answer" == "$1"* ]] && return 0
        sleep 0.1
    done
    podman logs "$run_id-run" >&2
    die "$2: /readyz did not answer $1 within 15 s (last: $answer)"
}
start_run() {
    podman run -d --name "$run_id-run" "${run_caps[@]}" "${locked_down[@]}" --network "ns:/run/netns/${prefix}router" \
        "${run_env[@]}" "$tag_rhel7" run --metrics "$pod_ip:9100" >/dev/null
}
run_setup() { # the init container: the only one with SYS_ADMIN and the node's netns
    if ! timeout 60 podman run --rm "${setup_caps[@]}" "${locked_down[@]}" "${netns_mounts[@]}" "${run_env[@]}" \
            -e EGRESS_ROUTER_HOST_NETNS=/host/proc/1/ns/net "$tag_rhel7" init > "$work/setup.log" 2>&1; then
        cat "$work/setup.log" >&2
        die "the init container (NET_ADMIN, NET_RAW, SYS_ADMIN) failed"
    fi
}
# /proc/sys is read-only in these containers. With forwarding off in the pod's namespace the agent
# stops with an error naming the setting and the remedy, before it touches anything.
ip netns exec "${prefix}router" sysctl -qw net.ipv4.ip_forward=0
if timeout 60 podman run --rm "${setup_caps[@]}" "${locked_down[@]}" "${netns_mounts[@]}" "${run_env[@]}" \
        -e EGRESS_ROUTER_HOST_NETNS=/host/proc/1/ns/net "$tag_rhel7" init > "$work/setup.log" 2>&1; then
    die "init succeeded with net.ipv4.ip_forward=0 and a read-only /proc/sys"
fi
grep -q 'net.ipv4.ip_forward is off.*securityContext.sysctls' "$work/setup.log" || { cat "$work/setup.log" >&2; die "the forwarding error does not name the setting and the remedy"; }
[ -z "$(macvlan_index)" ] || die "the refused init left macvlan0 behind"
log "forwarding off, /proc/sys read-only: init refused ($(grep -o 'setup failed at step .forwarding.' "$work/setup.log")), nothing made"
# A pod's namespace inherits net.ipv4.ip_forward from the node (1 on Kubernetes nodes).
ip netns exec "${prefix}router" sysctl -qw net.ipv4.ip_forward=1
log "rhel7 image: init container (NET_ADMIN NET_RAW SYS_ADMIN, node netns) makes macvlan0 in ${prefix}router"
t=$(date +%s%N)
run_setup
made=$(macvlan_index)
[ -n "$made" ] || die "the init container made no macvlan0"
log "init container: exit 0 in $(ms_since "$t") ms, macvlan0 #$made ($(ip -n "${prefix}router" -o link show macvlan0 | grep -o 'alias .*' || echo 'no alias'))"
log "rhel7 image: 'run --metrics $pod_ip:9100' with --cap-drop all --cap-add NET_ADMIN,NET_RAW, read-only root, default seccomp, no node netns"
t=$(date +%s%N)
start_run
wait_ready 200 "start"
log "/readyz 200 after $(ms_since "$t") ms (container start included)"
[ "$(macvlan_index)" = "$made" ] || die "run re-made macvlan0 (#$(macvlan_index), the init container made #$made): it must adopt it"
podman logs "$run_id-run" 2>&1 | grep -q 'create macvlan' && die "run logged a macvlan creation: $(podman logs "$run_id-run" 2>&1 | grep 'create macvlan')"
[[ "$(http_get "http://$pod_ip:9100/healthz")" == 200* ]] || die "/healthz did not answer 200"
metrics=$(http_get "http://$pod_ip:9100/metrics")
[[ "$metrics" == 200*redirect_router_ready* ]] || die "/metrics has no redirect_router series: ${metrics:0:300}"
# Bound to the pod's address only (the downward API's POD_IP), not to every address.
listeners=$(ip netns exec "${prefix}router" ss -Hltn 'sport = :9100' | awk '{print $4}' | tr '\n' ' ')
[ "$listeners" = "$pod_ip:9100 " ] || die "the metrics listener is bound to '$listeners', not $pod_ip:9100 alone"
check tcp 8080 "remapped to 172.16.100.25:80"
check udp 53 "to 172.16.100.25:53"

# What the agent holds: NET_ADMIN and NET_RAW (bits 12, 13) in every set, SYS_ADMIN (bit 21) in none.
status=$(podman exec "$run_id-run" cat /proc/1/status)
for set in CapEff CapPrm CapBnd; do
    value=$(awk -v s="$set:" '$1 == s {print $2}' <<<"$status")
    [ $(( 16#$value )) -eq $(( (1 << 12) | (1 << 13) )) ] || die "agent $set is $value, not NET_ADMIN+NET_RAW (0x3000)"
    [ $(( 16#$value & (1 << 21) )) -eq 0 ] || die "agent $set $value holds SYS_ADMIN"
done
for set in CapInh CapAmb; do
    value=$(awk -v s="$set:" '$1 == s {print $2}' <<<"$status")
    [ $(( 16#$value )) -eq 0 ] || die "agent $set is $value, not empty"
done
grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$status" || die "the agent can gain privileges (NoNewPrivs is not 1)"
grep -q '^Seccomp:[[:space:]]*2' <<<"$status" || die "the agent runs without a seccomp filter ($(grep '^Seccomp' <<<"$status"))"
podman exec "$run_id-run" sh -c ': > /opt/redirect-router/x' 2>/dev/null && die "the root file system is writable"
[ -z "$(podman exec "$run_id-run" sh -c 'ls -A /host 2>/dev/null')" ] || die "the run container sees /host"
log "agent in the run container: $(grep -E '^Cap(Eff|Prm|Bnd)' <<<"$status" | tr -s '\t\n' '  ')(NET_ADMIN+NET_RAW, no SYS_ADMIN), NoNewPrivs 1, Seccomp 2, read-only root"
pid=$(podman inspect -f '{{.State.Pid}}' "$run_id-run")
watches=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | grep -c '^inotify wd:' || true)
log "idle agent in the container: $(awk '/VmRSS/ {print $2, $3}' /proc/"$pid"/status) RSS, $(find /proc/"$pid"/task -mindepth 1 -maxdepth 1 | wc -l) threads, $watches inotify watches"

# Drift on the adopted macvlan is repaired without SYS_ADMIN.
t=$(date +%s%N)
ip -n "${prefix}router" addr flush dev macvlan0
for _ in $(seq 1 100); do
    ip -n "${prefix}router" -o addr show dev macvlan0 | grep -q '192\.168\.12\.99/' && break
    sleep 0.1
done
ip -n "${prefix}router" -o addr show dev macvlan0 | grep -q '192\.168\.12\.99/' || { podman logs "$run_id-run" >&2; die "the flushed egress address was not re-added"; }
wait_ready 200 "after the address flush"
log "flushed address on macvlan0: re-added after $(ms_since "$t") ms, still macvlan0 #$(macvlan_index)"
check tcp 8080 "after the repair"

# What it cannot do: re-make a deleted macvlan (that takes the node's namespace). Readiness goes
# false and the agent keeps running; the init container, run again as on a pod restart, fixes it.
t=$(date +%s%N)
ip -n "${prefix}router" link del macvlan0
wait_ready 503 "after macvlan0 was deleted"
log "macvlan0 deleted: /readyz 503 after $(ms_since "$t") ms, the agent still runs and says: $(podman logs "$run_id-run" 2>&1 | grep -o 'macvlan0 must be created.*' | head -1 | cut -c1-160)"
# A pod restart: the kubelet stops the run container, runs the init container again, then starts the run
# container (two agents with different rulesets never run at once: only `run` exempts its metrics port).
t=$(date +%s%N)
podman stop -t 10 "$run_id-run" >/dev/null
podman rm "$run_id-run" >/dev/null
run_setup
start_run
wait_ready 200 "after the pod restart (init container again, then the run container)"
log "pod restart: init container again, then the run container: /readyz 200 after $(ms_since "$t") ms"
check tcp 8080 "after the init container re-made macvlan0"

t=$(date +%s%N)
podman stop -t 10 "$run_id-run" >/dev/null
code=$(podman inspect -f '{{.State.ExitCode}}' "$run_id-run")
[ "$code" = 0 ] || { podman logs "$run_id-run" >&2; die "SIGTERM: exit code $code, not 0"; }
kept=$(macvlan_index)
[ -n "$kept" ] || die "the run container removed macvlan0 on exit: a restarted container could not get it back"
log "podman stop (SIGTERM): exit 0 after $(ms_since "$t") ms, macvlan0 #$kept kept for a restarted container"
podman rm "$run_id-run" >/dev/null
# A restarted container (same pod, init containers not run again) adopts what is there.
t=$(date +%s%N)
start_run
wait_ready 200 "restarted run container"
[ "$(macvlan_index)" = "$kept" ] || die "the restarted run container re-made macvlan0"
check tcp 8080 "after a restart of the run container"
log "restarted run container: /readyz 200 after $(ms_since "$t") ms, adopted macvlan0 #$kept"
podman stop -t 10 "$run_id-run" >/dev/null
podman rm "$run_id-run" >/dev/null
# The pod's end takes its namespace and the macvlan with it; here the next part starts from scratch.
ip -n "${prefix}router" link del macvlan0

# 2. centos image, the bare OpenShift entrypoint (init), capabilities instead of privilege, clone3 -> EPERM.
cat > "$work/seccomp-clone3-eperm.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
caps=(--cap-drop all --cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_ADMIN --security-opt "seccomp=$work/seccomp-clone3-eperm.json")
# The control: a static glibc program that creates a thread fails under the profile (so the profile bites).
printf '#include <pthread.h>\n#include <stdio.h>\nstatic void *f(void *a) { return a; }\nint main(void) { pthread_t t; int e = pthread_create(&t, 0, f, 0); if (e) { printf("pthread_create: %%d\\n", e); return 1; } pthread_join(t, 0); puts("thread ok"); return 0; }\n' > "$work/thread.c"
clang -static -pthread -O2 "$work/thread.c" -o "$work/thread"
if podman run --rm "${caps[@]}" --network none -v "$work/thread:/thread:ro" --entrypoint /thread "$tag_centos" > "$work/control.log" 2>&1; then
    die "the clone3 EPERM profile does not bite: a plain static glibc program created a thread ($(cat "$work/control.log"))"
fi
log "control: a plain static glibc program under the clone3->EPERM profile fails ($(tr '\n' ' ' < "$work/control.log"))"
log "centos image: EGRESS_ROUTER_MODE=init, --cap-drop all --cap-add NET_ADMIN,NET_RAW,SYS_ADMIN, clone3 -> EPERM"
t=$(date +%s%N)
if ! timeout 60 podman run --name "$run_id-init" "${caps[@]}" "${netns_mounts[@]}" "${common_env[@]}" \
        -e EGRESS_ROUTER_MODE=init -e EGRESS_DESTINATION=$'8080 tcp 172.16.100.25 80\n53 udp 172.16.100.25\n172.16.100.26' \
        "$tag_centos" > "$work/init.log" 2>&1; then
    cat "$work/init.log" >&2
    die "the init container failed"
fi
log "init container: exit 0 in $(ms_since "$t") ms (container start included)"
podman rm "$run_id-init" >/dev/null
check tcp 8080 "remapped to 172.16.100.25:80"
check udp 53 "to 172.16.100.25:53"
check tcp 9000 "fallback to 172.16.100.26"

log "image test OK: $tag_rhel7 $(podman image inspect -f '{{.Size}}' "$tag_rhel7" | numfmt --to=iec), $tag_centos $(podman image inspect -f '{{.Size}}' "$tag_centos" | numfmt --to=iec)"
