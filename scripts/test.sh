#!/usr/bin/env bash
# All tests: unit tests, kernel tests in throw-away network namespaces (as root; under CI=true they
# must run), and the NativeAOT publish of the CLI, which fails on any trim or AOT warning.
# Installs what it needs (Debian packages, NuGet restore) and is safe to run again.
# --images (always under CI) also runs scripts/test-images.sh: both Dockerfiles built offline and the
# image run in the lab (a few minutes).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
images=false
[ "${1:-}" = "--images" ] || { [ -n "${CI:-}" ] && [ "${CI}" != "false" ]; } && images=true

ensure_packages
ensure_dotnet

if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ "$(id -u)" -ne 0 ]; then
    die "CI is set but this is not root: the kernel tests cannot run"
fi

netns_before=$(ip netns list 2>/dev/null | awk '{print $1}' | sort)

log "restore and build (Release, warnings are errors)"
dotnet restore RedirectRouter.sln --nologo -v quiet
dotnet build RedirectRouter.sln -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly

log "tests"
results_dir=$(mktemp -d)
trap 'rm -rf "$results_dir"' EXIT
set +e
dotnet test RedirectRouter.sln -c Release --no-build --nologo -v quiet --logger "console;verbosity=minimal" 2>&1 | tee "$results_dir/test.log"
test_status=${PIPESTATUS[0]}
set -e

log "NativeAOT publish of the CLI (any trim/AOT warning fails)"
aot_dir="$root/artifacts/test-aot"
rm -rf "$aot_dir"
set +e
dotnet publish src/RedirectRouter.Cli -c Release -o "$aot_dir" --nologo -v quiet -clp:NoSummary > "$results_dir/publish.log" 2>&1
publish_status=$?
set -e
binaries=()
if [ $publish_status -ne 0 ] || grep -qE 'warning (IL|CS|NU)[0-9]+' "$results_dir/publish.log"; then
    cat "$results_dir/publish.log" >&2
    echo "NativeAOT publish failed or warned" >&2
    test_status=1
else
    version=$("$aot_dir/redirect-router" version)
    log "native binary runs: $version ($(du -h "$aot_dir/redirect-router" | cut -f1))"
    binaries+=("$aot_dir/redirect-router")
fi

log "the shipping binary (scripts/publish.sh: static glibc, clone3 fallback, no dlopen)"
static_dir="$root/artifacts/test-static"
if ./scripts/publish.sh "$static_dir"; then
    binaries+=("$static_dir/redirect-router")
else
    test_status=1
fi

# The agent's long-running suites (run: reload, repair, metrics, SIGTERM, faults; the reliability suite and
# the soak) once more against each native binary: the end-to-end run above used the assembly under dotnet,
# and the shipping binary is what customers get.
for binary in "${binaries[@]}"; do
    if [ "$(id -u)" -ne 0 ]; then
        break
    fi
    log "agent suites against $binary"
    set +e
    RR_AGENT_BINARY="$binary" dotnet test tests/RedirectRouter.EndToEnd.Tests -c Release --no-build --nologo -v quiet \
        --filter "Category=Run|Category=Reliability" --logger "console;verbosity=minimal" 2>&1 | tee -a "$results_dir/test.log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || test_status=1
    set -e
done

netns_after=$(ip netns list 2>/dev/null | awk '{print $1}' | sort)
leaked=$(comm -13 <(echo "$netns_before") <(echo "$netns_after") | grep -E '^(rrt-|rrb-|rrbench-|rrlab-|rrimg-)' || true)
if [ -n "$leaked" ]; then
    echo "network namespaces leaked by the tests: $leaked" >&2
    test_status=1
fi

if [ "$images" = true ]; then
    log "images: both Dockerfiles built offline, the image run in the lab (scripts/test-images.sh)"
    ./scripts/test-images.sh || test_status=1
fi

# One closing line for the whole run, summed over the test projects.
awk '
    /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
        gsub(",", ""); for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
        }
    }
    END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$results_dir/test.log"

if grep -q 'Skipped: *[1-9]' "$results_dir/test.log" && [ -n "${CI:-}" ] && [ "${CI}" != "false" ]; then
    echo "tests were skipped under CI" >&2
    test_status=1
fi
exit "$test_status"
