#!/usr/bin/env bash
# The local run: Redis, the provider sandbox, the API and the Telegram, VK, SMS and email couriers, all on
# 127.0.0.1, with a demo directory and ready-to-paste commands to try it. Ctrl+C stops everything this
# script started.
#
#   deploy/run.sh                              # every channel goes to the sandbox
#   Telegram__Token=123:abc deploy/run.sh      # Telegram goes to the real Bot API; VK and SMS to the sandbox
#   Vk__Token=vk1.a.… deploy/run.sh            # VK goes to the real VK API
#   Sms__BaseUrl=http://phone:8080 Sms__Username=… Sms__Password=… deploy/run.sh   # a real SMS Gateway for Android
#   Sms__Provider=smsru Sms__ApiId=… deploy/run.sh                               # SMS.ru
#   Email__Host=smtp.example.edu Email__From='Ada <noreply@example.edu>' Email__Username=… Email__Password=… deploy/run.sh   # a real SMTP server
#   ADA_REDIS_CLUSTER=3 deploy/run.sh          # Redis as a local Redis Cluster of 3 primaries
# Each channel goes to its real provider when its credentials are set, to the sandbox otherwise; the
# sandbox runs when any channel uses it.
#
# Environment (all optional): ADA_REDIS_PORT (6390), ADA_REDIS_CLUSTER (unset: one Redis; 1 or yes: a
# cluster of 3 primaries on ADA_REDIS_PORT, +1, +2; a number N >= 3: N primaries), ADA_SANDBOX_PORT (5080),
# ADA_API_PORT (5000), ADA_TELEGRAM_PORT (5081), ADA_VK_PORT (5082), ADA_SMS_PORT (5083), ADA_EMAIL_PORT
# (5084), ADA_SANDBOX_SMTP_PORT (2525, the sandbox's SMTP server), Ada__AdminToken (generated when unset),
# Telegram__Token, Telegram__BaseUrl, Vk__Token, Vk__BaseUrl, Sms__BaseUrl, Sms__ApiId, Email__Host, …,
# Scheduling__QuietHours (none when unset), plus any other setting of the services (see
# deploy/README.md).
# State (Redis AOF, logs, this run's sandbox token in .run/sandbox-token) lives in .run/ at the repository root, owner-only: .run/redis, or .run/redis-cluster/<port>
# for each node of the cluster.
#
# This script does what must be shell: it installs the missing packages and builds the solution, then hands
# over to deploy/Ada.Stack, the one C# stack builder that the end-to-end and reliability tests and the
# benchmark start Ada with too. That program starts everything, prints the links and stops it all on Ctrl+C.
set -euo pipefail
# Everything this run writes (Redis data, logs, the lock) is its owner's alone: they hold contacts and tokens.
umask 077

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Tools: redis-server and redis-cli (a cluster is created with it); curl for the commands printed at the end;
# setsid (util-linux) puts each service in a process group of its own, so Ctrl+C reaches only the local run.
ensure_commands redis-server:redis-server redis-cli:redis-tools curl:curl setsid:util-linux
command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH: install the .NET 10 SDK"

say "building Ada.sln (Release)"
# No MSBuild/compiler servers: they would outlive this script, and the run stops only what it started.
dotnet build Ada.sln -c Release -nologo -v quiet --disable-build-servers ||
  die "the build failed (see the errors above)"

STACK=deploy/Ada.Stack/bin/Release/net10.0/Ada.Stack.dll
[[ -f $STACK ]] || die "$STACK is missing: is deploy/Ada.Stack in Ada.sln?"
exec dotnet "$STACK"
