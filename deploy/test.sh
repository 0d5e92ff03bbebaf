#!/usr/bin/env bash
# The test command: every test of Ada.sln, in Release. The tests start their own redis-server on a free
# port; this script only makes sure the binary is installed. Extra arguments go to `dotnet test`
# (e.g. deploy/test.sh --filter FullyQualifiedName~Scheduling).
#
# Output: dotnet test's own output (also in .run/logs/test.log), then ONE last line
#   N passed, N failed, N skipped
# summed over the test assemblies. Exit status: 0 only when dotnet test succeeded, no test failed and
# at least one test ran. A build failure (or a test host crash) counts as one failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The summary lines parsed below are the English ones.
export DOTNET_CLI_UI_LANGUAGE=en

# redis-cli (redis-tools) creates the test Redis Cluster; Debian's redis-server package depends on it.
# chromium runs the web app's browser tests (tests/Ada.Web.Tests drive /usr/bin/chromium with Playwright;
# no browser can be downloaded); without it those tests fail with a message, they are never skipped.
ensure_commands redis-server:redis-server redis-cli:redis-tools chromium:chromium
command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH: install the .NET 10 SDK"

LOG=$ROOT/.run/logs/test.log
mkdir -p "$(dirname "$LOG")"

# summarize LOG: prints "PASSED FAILED SKIPPED", the sums of the per-assembly summary lines, e.g.
#   Passed!  - Failed:     0, Passed:    25, Skipped:     0, Total:    25, Duration: 3 s - Ada.Core.Tests.dll (net10.0)
#   Failed!  - Failed:     1, Passed:    24, Skipped:     0, Total:    25, Duration: 3 s - Ada.Api.Tests.dll (net10.0)
# (colour codes, if any, are removed first; plain POSIX awk, no gawk extensions).
summarize() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
    /(Passed|Failed|Skipped)! *- *Failed: *[0-9]+, *Passed: *[0-9]+, *Skipped: *[0-9]+,/ {
      line = $0
      sub(/.*! *- */, "", line)          # "Failed: 1, Passed: 24, Skipped: 0, Total: 25, Duration: ..."
      n = split(line, fields, ",")
      for (i = 1; i <= n; i++) {
        field = fields[i]
        gsub(/ /, "", field)              # "Failed:1"
        split(field, kv, ":")
        if (kv[1] == "Failed") failed += kv[2]
        else if (kv[1] == "Passed") passed += kv[2]
        else if (kv[1] == "Skipped") skipped += kv[2]
      }
    }
    END { printf "%d %d %d\n", passed, failed, skipped }'
}

# Under `set -e -o pipefail` a failing pipeline would end the script here, before the summary: run it
# with errexit off and take dotnet's own status from PIPESTATUS.
# Build the whole solution first, then test without building: `dotnet test Ada.sln` alone builds and runs the
# test projects in parallel, so a test that starts a service process (e.g. the email courier) could start before
# that service's project was built.
set +e
dotnet build Ada.sln -c Release --disable-build-servers 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
if ((status == 0)); then
  dotnet test Ada.sln -c Release --no-build --disable-build-servers "$@" 2>&1 | tee -a "$LOG"
  status=${PIPESTATUS[0]}
fi
set -e

read -r passed failed skipped < <(summarize "$LOG")

verdict=0
if ((status != 0)); then
  verdict=1
  # dotnet test failed without a failing test in its summaries: the build failed, or a test host
  # crashed or was aborted. Count it as one failure, so the summary line never looks green.
  if ((failed == 0)); then
    failed=1
    echo "dotnet test exited with status $status without reporting a failed test (build error or test host crash; see above)" >&2
  fi
fi
if ((failed > 0)); then
  verdict=1
fi
if ((passed + failed == 0)); then
  echo "no test ran" >&2
  verdict=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$verdict"
