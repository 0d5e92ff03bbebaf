#!/usr/bin/env bash
# The local run: Redis, the provider sandbox, the API and the Telegram courier, all on 127.0.0.1, with
# a demo directory and ready-to-paste commands to try it. Ctrl+C stops everything this script started.
#
#   deploy/run.sh                              # Telegram goes to the sandbox
#   Telegram__Token=123:abc deploy/run.sh      # Telegram goes to the real Bot API
#
# Environment (all optional): ADA_REDIS_PORT (6390), ADA_SANDBOX_PORT (5080), ADA_API_PORT (5000),
# ADA_TELEGRAM_PORT (5081), Ada__AdminToken (generated when unset), Telegram__Token, Telegram__BaseUrl,
# Scheduling__QuietHours (none when unset), plus any other setting of the services (see deploy/README.md).
# State (Redis AOF, logs) lives in .run/ at the repository root.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=deploy/lib.sh
source deploy/lib.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

RUN_DIR=$ROOT/.run
LOG_DIR=$RUN_DIR/logs
READY_TIMEOUT=60 # seconds each service gets to answer /health/ready
STOP_TIMEOUT=10  # seconds each process gets to exit on SIGTERM before SIGKILL

# ---------------------------------------------------------------------------------------------------
# Processes this script started, by name. Only these are ever stopped.
declare -A PID=()
STARTED=() # names, in start order

# start NAME DIR COMMAND...: runs COMMAND in DIR in the background, output to .run/logs/NAME.log.
# setsid puts it in a process group (and session) of its own, so Ctrl+C in the terminal reaches only
# this script, whose trap then stops the services in order. The subshell is not a group leader, so
# setsid does not fork, and the subshell execs: $! is the service's own PID, and its group id.
# fd 9, the run lock, is not passed on.
start() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && exec setsid "$@") </dev/null >"$LOG_DIR/$name.log" 2>&1 9>&- &
  PID[$name]=$!
  STARTED+=("$name")
  say "started $name (pid $!), log: .run/logs/$name.log"
}

alive() { kill -0 "${PID[$1]}" 2>/dev/null; }

# signal SIG NAME: sends SIG to the service's process group (anything it may have spawned too).
signal() { kill "-$1" -- "-${PID[$2]}" 2>/dev/null || kill "-$1" "${PID[$2]}" 2>/dev/null || true; }

# stop NAME...: SIGTERM, up to STOP_TIMEOUT seconds together, then SIGKILL; reaps them.
stop() {
  local name deadline=$((SECONDS + STOP_TIMEOUT))
  for name in "$@"; do signal TERM "$name"; done
  for name in "$@"; do
    while alive "$name" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$name"; then
      warn "$name did not stop in ${STOP_TIMEOUT}s: killing it"
      signal KILL "$name"
    fi
    wait "${PID[$name]}" 2>/dev/null || true
  done
}

# On any exit (Ctrl+C, TERM, an error, a service dying): the .NET services first, then Redis, so
# Redis outlives its clients and writes its AOF on the way out.
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  local name apps=()
  for name in "${STARTED[@]}"; do [[ $name == redis ]] || apps+=("$name"); done
  if ((${#apps[@]} > 0)); then
    say "stopping ${apps[*]}"
    stop "${apps[@]}"
  fi
  if [[ -n ${PID[redis]:-} ]]; then
    say "stopping redis"
    stop redis
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# tail_log NAME: the end of a service's log, to explain a failure.
tail_log() {
  printf -- '----- last lines of .run/logs/%s.log -----\n' "$1" >&2
  tail -n 40 "$LOG_DIR/$1.log" >&2 || true
  printf -- '-----\n' >&2
}

# wait_ready NAME URL: polls URL until it answers 2xx; fails if the process dies or time runs out.
wait_ready() {
  local name=$1 url=$2 deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if ! alive "$name"; then
      tail_log "$name"
      die "$name exited before it was ready"
    fi
    if ((SECONDS >= deadline)); then
      tail_log "$name"
      die "$name was not ready within ${READY_TIMEOUT}s ($url)"
    fi
    sleep 0.5
  done
  say "$name is ready"
}

# port VAR DEFAULT: the port from environment variable VAR, or DEFAULT; it must be free on 127.0.0.1.
port() {
  local var=$1 value=${!1:-$2}
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$var=$value is not a port number"
  fi
  # A successful connect means something already listens there.
  if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$value" 2>/dev/null; then
    die "port $value is in use on 127.0.0.1: stop what uses it, or choose another with $var=<port>"
  fi
  printf '%s' "$value"
}

# ---------------------------------------------------------------------------------------------------
# (a) Tools: redis-server, and curl (health checks, seeding, the commands printed at the end).
ensure_commands redis-server:redis-server redis-cli:redis-tools curl:curl
command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH: install the .NET 10 SDK"

mkdir -p "$RUN_DIR/redis" "$LOG_DIR"
# One run per checkout: a second Redis on the same .run/redis would corrupt its append-only file.
exec 9>"$RUN_DIR/run.lock"
flock -n 9 || die "deploy/run.sh is already running from this checkout (lock: .run/run.lock)"

# (b) Build.
say "building Ada.sln (Release)"
# No MSBuild/compiler servers: they would outlive this script, and it stops only what it started.
dotnet build Ada.sln -c Release -nologo -v quiet --disable-build-servers ||
  die "the build failed (see the errors above)"

# app_dir PROJECT: the build output of services/PROJECT; each service runs there, so it finds its
# appsettings.json (the content root is the working directory).
app_dir() { printf '%s/services/%s/bin/Release/net10.0' "$ROOT" "$1"; }
for app in Ada.Sandbox Ada.Api Ada.Couriers.Telegram; do
  [[ -f $(app_dir "$app")/$app.dll ]] || die "$(app_dir "$app")/$app.dll is missing: is services/$app in Ada.sln?"
done

# (c) Ports, all on 127.0.0.1. The sandbox runs only when no real Telegram token is given.
USE_SANDBOX=true
if [[ -n ${Telegram__Token:-} ]]; then USE_SANDBOX=false; fi
REDIS_PORT=$(port ADA_REDIS_PORT 6390)
API_PORT=$(port ADA_API_PORT 5000)
TELEGRAM_PORT=$(port ADA_TELEGRAM_PORT 5081)
PORTS=("$REDIS_PORT" "$API_PORT" "$TELEGRAM_PORT")
if $USE_SANDBOX; then
  SANDBOX_PORT=$(port ADA_SANDBOX_PORT 5080)
  PORTS+=("$SANDBOX_PORT")
fi
if [[ -n $(printf '%s\n' "${PORTS[@]}" | sort | uniq -d) ]]; then
  die "two services were given the same port (${PORTS[*]}): check the ADA_*_PORT variables"
fi
API_URL=http://127.0.0.1:$API_PORT
REDIS_CONNECTION=127.0.0.1:$REDIS_PORT

# (d) Redis, with its data in .run/redis (kept between runs: the directory and scheduled messages stay).
start redis "$ROOT" redis-server "$ROOT/deploy/redis.conf" --port "$REDIS_PORT" --dir "$RUN_DIR/redis"
deadline=$((SECONDS + READY_TIMEOUT))
# PONG once it has loaded its append-only file; "LOADING ..." before.
until [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; do
  alive redis || {
    tail_log redis
    die "redis-server exited"
  }
  ((SECONDS < deadline)) || {
    tail_log redis
    die "Redis did not answer PING within ${READY_TIMEOUT}s"
  }
  sleep 0.2
done
say "redis is ready on $REDIS_CONNECTION"

# (e) Telegram: the real Bot API when Telegram__Token is set, the sandbox otherwise.
if $USE_SANDBOX; then
  SANDBOX_URL=http://127.0.0.1:$SANDBOX_PORT
  start sandbox "$(app_dir Ada.Sandbox)" dotnet Ada.Sandbox.dll --urls "$SANDBOX_URL"
  TELEGRAM_TOKEN=123456:SANDBOX
  TELEGRAM_BASE_URL=$SANDBOX_URL
else
  TELEGRAM_TOKEN=$Telegram__Token
  TELEGRAM_BASE_URL=${Telegram__BaseUrl:-https://api.telegram.org}
  say "Telegram: the real Bot API at $TELEGRAM_BASE_URL"
fi

# (f) The bootstrap admin token.
if [[ -n ${Ada__AdminToken:-} ]]; then
  ADMIN_TOKEN=$Ada__AdminToken
elif command -v openssl >/dev/null 2>&1; then
  ADMIN_TOKEN=$(openssl rand -hex 24)
else
  ADMIN_TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
fi

# (g) The API and the Telegram courier. Quiet hours are off in the local run unless
# Scheduling__QuietHours is set, so the demo message is delivered when asked, whatever the hour.
QUIET_HOURS=${Scheduling__QuietHours:-}
start api "$(app_dir Ada.Api)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  Ada__AdminToken="$ADMIN_TOKEN" \
  Scheduling__QuietHours="$QUIET_HOURS" \
  dotnet Ada.Api.dll --urls "$API_URL"
start telegram "$(app_dir Ada.Couriers.Telegram)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  Telegram__Token="$TELEGRAM_TOKEN" \
  Telegram__BaseUrl="$TELEGRAM_BASE_URL" \
  dotnet Ada.Couriers.Telegram.dll --urls "http://127.0.0.1:$TELEGRAM_PORT"

# (h) Wait until every service is ready.
if $USE_SANDBOX; then wait_ready sandbox "$SANDBOX_URL/health/ready"; fi
wait_ready api "$API_URL/health/ready"
wait_ready telegram "http://127.0.0.1:$TELEGRAM_PORT/health/ready"

# (i) A demo directory, unless the directory already has one (Redis keeps it between runs).
AUTH="Authorization: Bearer $ADMIN_TOKEN"
status=$(curl -sS -o /dev/null -w '%{http_code}' -H "$AUTH" "$API_URL/v1/groups/ivt-21") || status=000
case $status in
  404)
    say "seeding the demo directory (deploy/demo-directory.json)"
    status=$(curl -sS -o "$RUN_DIR/import-answer.json" -w '%{http_code}' -X POST -H "$AUTH" \
      -H 'Content-Type: application/json' --data-binary @deploy/demo-directory.json "$API_URL/v1/import") ||
      status=000
    if [[ $status == 2?? ]]; then
      say "imported: $(cat "$RUN_DIR/import-answer.json")"
    else
      warn "POST /v1/import answered $status: $(cat "$RUN_DIR/import-answer.json" 2>/dev/null)"
    fi
    ;;
  200) say "the directory already has group ivt-21: not seeding" ;;
  *) warn "GET /v1/groups/ivt-21 answered $status: the demo directory was not seeded" ;;
esac

if [[ $(curl -s -o /dev/null -w '%{http_code}' "$API_URL/openapi/v1.json") != 200 ]]; then
  warn "$API_URL/openapi/v1.json is not served (see .run/logs/api.log)"
fi

# (j) What to do now. The sendAt below is computed by your shell when you paste the line.
cat <<EOF

Ada is running.
  API           $API_URL
  admin token   $ADMIN_TOKEN
  OpenAPI       $API_URL/openapi/v1.json
EOF
if $USE_SANDBOX; then
  echo "  sandbox inbox $SANDBOX_URL/sandbox/inbox   (every Telegram message the courier sends lands here)"
else
  echo "  Telegram      real Bot API ($TELEGRAM_BASE_URL); the demo chat ids are not real chats"
fi
cat <<EOF
  Redis         $REDIS_CONNECTION (data in .run/redis)   logs: .run/logs/
  quiet hours   ${QUIET_HOURS:-none (set Scheduling__QuietHours=22:00-08:00 to try them)}

Queue a message to group ivt-21, delivered in 5 seconds (the answer has its "id"):${QUIET_HOURS:+
  (inside quiet hours it moves to their end; add \"urgent\":true, which the admin may, to send anyway)}
  curl -sS -X POST $API_URL/v1/queue -H "$AUTH" -H 'Content-Type: application/json' -d '{"text":"Lecture moved to room 305","to":{"groups":["ivt-21"]},"sendAt":"'"\$(date --iso-8601=seconds -d '+5 seconds')"'"}'

Follow its delivery (put that id in ID):
  ID='<id>'; curl -sSN -H "$AUTH" "$API_URL/v1/history/\$ID/events"

Ctrl+C stops everything.
EOF

# Stay in the foreground until Ctrl+C, or until a service dies (then stop the others and fail).
wait -n "${PID[@]}" || true
for name in "${STARTED[@]}"; do
  if ! alive "$name"; then
    tail_log "$name"
    die "$name exited unexpectedly"
  fi
done
