#!/usr/bin/env bash
# The reliability suite at full size: the bad-input corpus through init, kill -9 at 50 random moments
# during setup of a large configuration, faults (parent down 5 s, gateway gone and back), 1,000
# established connections and a UDP stream through 30 s of reloads, what the router must never do, and
# the soak (10,000 mappings, 1,000 reloads, 10,000 scrapes and faults; RSS, open files and threads at the
# start, middle and end). The agent is the shipping binary (scripts/publish.sh) unless RR_AGENT_BINARY
# names another. Prints the figures and writes a markdown report under bench/results/.
# (./scripts/test.sh runs the same tests at a short size, against each build of the agent.)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the suite creates network namespaces: run as root"
ensure_packages
ensure_dotnet

mkdir -p bench/results
stamp=$(date -u +%Y%m%d-%H%M%S)
figures=$(mktemp)
report="bench/results/reliability-$stamp.md"
trap 'rm -f "$figures"' EXIT

dotnet build tests/RedirectRouter.EndToEnd.Tests -c Release --nologo -v quiet -clp:ErrorsOnly
if [ -z "${RR_AGENT_BINARY:-}" ]; then
    ./scripts/publish.sh artifacts/reliability
    export RR_AGENT_BINARY="$root/artifacts/reliability/redirect-router"
fi
set +e
RR_RELIABILITY=full RR_RELIABILITY_REPORT="$figures" \
    dotnet test tests/RedirectRouter.EndToEnd.Tests -c Release --no-build --nologo -v quiet \
    --filter "Category=Reliability" --logger "console;verbosity=minimal" 2>&1 | tee "$figures.log"
status=${PIPESTATUS[0]}
set -e

{
    echo "# Reliability suite ($stamp UTC)"
    echo
    echo "Machine: $(nproc) CPUs, kernel $(uname -r); agent commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); agent binary $RR_AGENT_BINARY."
    echo
    echo "| check | result |"
    echo "|---|---|"
    while IFS= read -r line; do
        printf '| %s | %s |\n' "${line%%:*}" "${line#*: }"
    done < "$figures"
    echo
    grep -E '(Passed|Failed)!' "$figures.log" | sed 's/^/    /'
} > "$report"
rm -f "$figures.log"
cat "$figures"
echo "report: $report"
exit "$status"
