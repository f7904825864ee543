# Shared helpers for the project's scripts. Source it; it defines functions only.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

log() { printf '==> %s\n' "$*" >&2; }

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Under `set -e` a failing command ends a script without a word; this names the command and line.
report_errors() {
    set -E
    trap 'printf "error: %s:%s: \"%s\" exited %s\n" "${BASH_SOURCE[0]##*/}" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR
}

# Debian packages every script may need: the kernel tools the agent drives and the tests use as
# witnesses, and the native toolchain for the NativeAOT publish.
RR_APT_PACKAGES=(iproute2 iptables nftables iputils-ping conntrack python3 clang llvm zlib1g-dev prometheus)

# Installs whatever of RR_APT_PACKAGES (plus any extra arguments) is missing; does nothing when all are present.
ensure_packages() {
    local wanted=("${RR_APT_PACKAGES[@]}" "$@") missing=() pkg
    for pkg in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them: apt-get install ${missing[*]}"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
    command -v dotnet >/dev/null || die "the .NET SDK is required (dotnet not on PATH)"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# The start every benchmark script shares: it creates network namespaces, so root; the packages and the SDK;
# then builds tests/PROJECT in Release. Sets bench_binary to its output PROGRAM; the caller runs it.
prepare_bench() {
    local project=$1 program=$2 root
    root=$(repo_root)
    cd "$root"
    [ "$(id -u)" -eq 0 ] || die "the benchmark creates network namespaces: run as root"
    ensure_packages
    ensure_dotnet
    dotnet build "tests/$project" -c Release --nologo -v quiet -clp:ErrorsOnly
    bench_binary="$root/tests/$project/bin/Release/net10.0/$program"
}
