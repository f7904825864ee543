#!/usr/bin/env bash
# The shipping build: NativeAOT with glibc linked in statically and the clone3 fallback
# (build/noclone3.c) and no shared-object loading (build/nodlopen.c), written to OUTDIR/redirect-router (default: artifacts/). The result has no
# NEEDED entries, so it runs on any x86-64 Linux userland, RHEL 7 / CentOS 7 (glibc 2.17) included,
# and in an empty root file system. Fails if the binary is not static or does not start.
# Needs the .NET 10 SDK, clang, binutils (objcopy, objdump) and zlib1g-dev; as root on Debian or
# Ubuntu it installs the missing ones (the Dockerfiles' build stage runs this script too).
# Usage: scripts/publish.sh [OUTDIR]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"

out=${1:-artifacts}
mkdir -p "$out"
out=$(cd "$out" && pwd)

missing=()
command -v clang >/dev/null || missing+=(clang)
command -v objcopy >/dev/null && command -v objdump >/dev/null || missing+=(binutils)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
        die "missing ${missing[*]}: install them (Debian/Ubuntu: apt-get install clang binutils zlib1g-dev)"
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
ensure_dotnet

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "compiling the clone3 fallback (build/noclone3.c) and the dlopen guard (build/nodlopen.c)"
clang -O2 -fPIC -Wall -Werror -c build/noclone3.c -o "$work/noclone3.o"
clang -O2 -fPIC -Wall -Werror -c build/nodlopen.c -o "$work/nodlopen.o"

log "NativeAOT publish, glibc linked statically (any trim/AOT warning fails)"
started=$(date +%s%N)
set +e
dotnet publish src/RedirectRouter.Cli -c Release -p:RrStatic=true -p:RrNoClone3Object="$work/noclone3.o" \
    -p:RrNoDlopenObject="$work/nodlopen.o" \
    --disable-build-servers -o "$work/publish" --nologo -v quiet -clp:NoSummary > "$work/publish.log" 2>&1
status=$?
set -e
# The static link prints linker notes (getaddrinfo, dlopen, getpwnam_r... "requires at runtime the
# shared libraries from the glibc version used for linking"): expected, only NSS modules other than
# files/dns would need them. Trim, AOT, compiler and NuGet warnings are failures.
if [ $status -ne 0 ] || grep -qE '(warning|error) (IL|CS|NU|MSB)[0-9]+' "$work/publish.log"; then
    cat "$work/publish.log" >&2
    die "the static NativeAOT publish failed or warned"
fi
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))

bin="$work/publish/redirect-router"
[ -x "$bin" ] || die "the publish produced no $bin"
if objdump -p "$bin" | grep -q NEEDED; then
    objdump -p "$bin" | grep NEEDED >&2
    die "$bin is not static: it has NEEDED entries"
fi
# The symbols are in the .dbg file next to the binary: __clone3 must be ours (no syscall in it).
dbg="$work/publish/redirect-router.dbg"
if [ -f "$dbg" ]; then
    read -r start size < <(nm -S "$dbg" | awk '$4 == "__clone3" { print $1, $2 }') || die "no __clone3 in $bin: the clone3 fallback was not linked in"
    code=$(objdump -d --no-show-raw-insn --start-address=$((16#$start)) --stop-address=$((16#$start + 16#$size)) "$bin")
    if grep -q syscall <<<"$code"; then
        die "__clone3 in $bin is glibc's (it makes the clone3 system call): the clone3 fallback was not linked in"
    fi
fi
# dlopen must be ours too: glibc's would map a second libc into the static process (build/nodlopen.c).
if [ -f "$dbg" ]; then
    read -r start size < <(nm -S "$dbg" | awk '$4 == "dlopen" { print $1, $2 }') || die "no dlopen symbol in $bin"
    code=$(objdump -d --no-show-raw-insn --start-address=$((16#$start)) --stop-address=$((16#$start + 16#$size)) "$bin")
    if grep -q call <<<"$code"; then
        die "dlopen in $bin is glibc's: the dlopen guard (build/nodlopen.c) was not linked in"
    fi
fi
version=$("$bin" --version) || die "$bin does not start"

install -m 0755 "$bin" "$out/redirect-router"
log "$out/redirect-router: $version, $(du -h "$out/redirect-router" | cut -f1), static (no NEEDED entries), no clone3, published in ${elapsed_ms} ms"
