#!/usr/bin/env bash
# Ada's benchmarks: installs redis-server if missing, builds Release, runs every scenario (or those given),
# writes artifacts/bench/results.json and prints the table (each figure of issue 11 with its aim and met yes/no).
#   deploy/bench.sh                 # all scenarios, full size: queue, outage, kill, lag, first, throughput, paced, fair,
#                                   # vk, email (7.1 minutes on a quiet 2-core machine on 2026-12-05; the last line
#                                   # prints how long it took; each scenario first waits up to 180 s for an idle machine)
#   deploy/bench.sh --quick         # ~1/10 sizes, a smoke test of a few minutes
#   deploy/bench.sh queue lag       # some scenarios
# Everything runs on 127.0.0.1 on free ports: a fresh redis-server per scenario (AOF on, appendfsync everysec, as
# deploy/redis.conf; hz 10) and fresh services.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
    echo "redis-server is missing; installing Debian's package redis-server…"
    if [ "$(id -u)" -eq 0 ]; then
        as_root=(env)
    elif command -v sudo >/dev/null 2>&1; then
        as_root=(sudo env)
    else
        echo "redis-server is missing and installing it needs root: run as root, or install sudo" >&2
        exit 1
    fi
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "dotnet (the .NET 10 SDK) is required: https://dotnet.microsoft.com/download" >&2
    exit 1
fi

mkdir -p artifacts/bench
echo "Building Release…"
dotnet build tests/Ada.Benchmarks/Ada.Benchmarks.csproj -c Release -nologo -v quiet

# Output goes to the terminal and to artifacts/bench/run.log; the table is at the end of both.
set +e
dotnet run -c Release --no-build --project tests/Ada.Benchmarks/Ada.Benchmarks.csproj -- \
    --out "$repo/artifacts/bench/results.json" "$@" 2>&1 | tee artifacts/bench/run.log
status=${PIPESTATUS[0]}
set -e
echo "Results: $repo/artifacts/bench/results.json (log: artifacts/bench/run.log)"
exit "$status"
