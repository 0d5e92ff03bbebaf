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
# State (Redis AOF, logs) lives in .run/ at the repository root: .run/redis, or .run/redis-cluster/<port>
# for each node of the cluster.
set -euo pipefail
# Everything this run writes (Redis data, logs, the lock) is its owner's alone: they hold contacts and tokens.
umask 077

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

# On any exit (Ctrl+C, TERM, an error, a service dying): the .NET services first, then Redis (the one
# node, or every node of the cluster, named redis-<port>), so Redis outlives its clients and writes its
# AOF on the way out.
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  local name apps=() redises=()
  for name in "${STARTED[@]}"; do
    if [[ $name == redis || $name == redis-* ]]; then redises+=("$name"); else apps+=("$name"); fi
  done
  if ((${#apps[@]} > 0)); then
    say "stopping ${apps[*]}"
    stop "${apps[@]}"
  fi
  if ((${#redises[@]} > 0)); then
    say "stopping ${redises[*]}"
    stop "${redises[@]}"
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

# listening PORT: whether something listens on 127.0.0.1:PORT (a successful connect means it does).
listening() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# port VAR DEFAULT: the port from environment variable VAR, or DEFAULT; it must be free on 127.0.0.1.
port() {
  local var=$1 value=${!1:-$2}
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$var=$value is not a port number"
  fi
  if listening "$value"; then
    die "port $value is in use on 127.0.0.1: stop what uses it, or choose another with $var=<port>"
  fi
  printf '%s' "$value"
}

# wait_pong NAME PORT: waits until the redis-server NAME answers PING on PORT (PONG once it has loaded
# its append-only file; "LOADING ..." before).
wait_pong() {
  local name=$1 port=$2 deadline=$((SECONDS + READY_TIMEOUT))
  until [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; do
    alive "$name" || {
      tail_log "$name"
      die "$name (redis-server) exited"
    }
    ((SECONDS < deadline)) || {
      tail_log "$name"
      die "$name did not answer PING within ${READY_TIMEOUT}s"
    }
    sleep 0.2
  done
}

# cluster_info PORT FIELD: FIELD of CLUSTER INFO on the node at PORT (empty when it does not answer).
cluster_info() {
  redis-cli -h 127.0.0.1 -p "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n "s/^$2://p"
}

# ---------------------------------------------------------------------------------------------------
# (a) Tools: redis-server, and curl (health checks, seeding, the commands printed at the end).
ensure_commands redis-server:redis-server redis-cli:redis-tools curl:curl
command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH: install the .NET 10 SDK"

# Redis: one node (the default), or with ADA_REDIS_CLUSTER a local Redis Cluster of CLUSTER_SIZE primaries.
case ${ADA_REDIS_CLUSTER:-} in
  '' | 0 | no) CLUSTER_SIZE=0 ;;
  1 | yes) CLUSTER_SIZE=3 ;;
  *)
    if ! [[ $ADA_REDIS_CLUSTER =~ ^[0-9]{1,5}$ ]] || ((10#$ADA_REDIS_CLUSTER < 3)); then
      die "ADA_REDIS_CLUSTER=$ADA_REDIS_CLUSTER: use 1 or yes (a cluster of 3 primaries), or a number of primaries, 3 or more (the least a Redis Cluster takes)"
    fi
    CLUSTER_SIZE=$((10#$ADA_REDIS_CLUSTER))
    ;;
esac

mkdir -p "$LOG_DIR"
# A .run/ left by an older run (made before the umask above) is closed too.
chmod -R go-rwx "$RUN_DIR"
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
for app in Ada.Sandbox Ada.Api Ada.Couriers.Telegram Ada.Couriers.Vk Ada.Couriers.Sms Ada.Couriers.Email; do
  [[ -f $(app_dir "$app")/$app.dll ]] || die "$(app_dir "$app")/$app.dll is missing: is services/$app in Ada.sln?"
done

# random_hex N: N random bytes as hex (secrets generated for this run).
random_hex() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex "$1"
  else
    od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
  fi
}

# (c) Which channel goes where. Each channel uses its real provider when its credentials are set, the
# sandbox otherwise; the sandbox runs when any channel uses it.
TELEGRAM_SANDBOX=true
[[ -z ${Telegram__Token:-} ]] || TELEGRAM_SANDBOX=false
VK_SANDBOX=true
[[ -z ${Vk__Token:-} ]] || VK_SANDBOX=false
SMS_SANDBOX=true
[[ -z ${Sms__BaseUrl:-} && -z ${Sms__ApiId:-} ]] || SMS_SANDBOX=false
EMAIL_SANDBOX=true
[[ -z ${Email__Host:-} ]] || EMAIL_SANDBOX=false
USE_SANDBOX=false
if $TELEGRAM_SANDBOX || $VK_SANDBOX || $SMS_SANDBOX || $EMAIL_SANDBOX; then USE_SANDBOX=true; fi

# Ports, all on 127.0.0.1.
REDIS_PORT=$(port ADA_REDIS_PORT 6390)
API_PORT=$(port ADA_API_PORT 5000)
TELEGRAM_PORT=$(port ADA_TELEGRAM_PORT 5081)
VK_PORT=$(port ADA_VK_PORT 5082)
SMS_PORT=$(port ADA_SMS_PORT 5083)
EMAIL_PORT=$(port ADA_EMAIL_PORT 5084)
PORTS=("$REDIS_PORT" "$API_PORT" "$TELEGRAM_PORT" "$VK_PORT" "$SMS_PORT" "$EMAIL_PORT")
if $USE_SANDBOX; then
  SANDBOX_PORT=$(port ADA_SANDBOX_PORT 5080)
  PORTS+=("$SANDBOX_PORT")
fi
if $EMAIL_SANDBOX; then
  SANDBOX_SMTP_PORT=$(port ADA_SANDBOX_SMTP_PORT 2525)
  PORTS+=("$SANDBOX_SMTP_PORT")
fi
REDIS_PORTS=("$REDIS_PORT") # every Redis node
if ((CLUSTER_SIZE > 0)); then
  # Cluster node i listens on ADA_REDIS_PORT+i and talks to the others on its cluster bus, that port+10000:
  # all of them must be free.
  for ((i = 1; i < CLUSTER_SIZE; i++)); do REDIS_PORTS+=($((REDIS_PORT + i))); done
  for node_port in "${REDIS_PORTS[@]}"; do
    bus_port=$((node_port + 10000))
    ((bus_port <= 65535)) ||
      die "ADA_REDIS_PORT=$REDIS_PORT leaves no room for $CLUSTER_SIZE nodes and their cluster bus ports (port+10000): choose a lower one"
    if ((node_port != REDIS_PORT)) && listening "$node_port"; then
      die "port $node_port (cluster node ADA_REDIS_PORT+$((node_port - REDIS_PORT))) is in use on 127.0.0.1: stop what uses it, or choose another ADA_REDIS_PORT=<port>"
    fi
    if listening "$bus_port"; then
      die "port $bus_port (the cluster bus of node $node_port, its port+10000) is in use on 127.0.0.1: stop what uses it, or choose another ADA_REDIS_PORT=<port>"
    fi
    ((node_port == REDIS_PORT)) || PORTS+=("$node_port")
    PORTS+=("$bus_port")
  done
fi
if [[ -n $(printf '%s\n' "${PORTS[@]}" | sort | uniq -d) ]]; then
  die "two services were given the same port (${PORTS[*]}): check the ADA_*_PORT variables"
fi
API_URL=http://127.0.0.1:$API_PORT
SANDBOX_URL=http://127.0.0.1:${SANDBOX_PORT:-0}

# (d) Redis, with its data in .run/redis (kept between runs: the directory and scheduled messages stay).
if ((CLUSTER_SIZE == 0)); then
  REDIS_DATA=.run/redis
  REDIS_CONNECTION=127.0.0.1:$REDIS_PORT
  mkdir -p "$RUN_DIR/redis"
  start redis "$ROOT" redis-server "$ROOT/deploy/redis.conf" --port "$REDIS_PORT" --dir "$RUN_DIR/redis"
  wait_pong redis "$REDIS_PORT"
  say "redis is ready on $REDIS_CONNECTION"
else
  # Or a Redis Cluster of CLUSTER_SIZE primaries (no replicas), node <port> with its data (AOF, and the
  # cluster's shape in nodes.conf) in .run/redis-cluster/<port>, kept between runs like .run/redis.
  REDIS_DATA=.run/redis-cluster
  NODES=() # 127.0.0.1:<port> of every node
  for node_port in "${REDIS_PORTS[@]}"; do
    mkdir -p "$RUN_DIR/redis-cluster/$node_port"
    start "redis-$node_port" "$ROOT" redis-server "$ROOT/deploy/redis.conf" --port "$node_port" \
      --dir "$RUN_DIR/redis-cluster/$node_port" --cluster-enabled yes --cluster-config-file nodes.conf \
      --cluster-node-timeout 5000 --cluster-allow-replica-migration no
    NODES+=("127.0.0.1:$node_port")
  done
  for node_port in "${REDIS_PORTS[@]}"; do wait_pong "redis-$node_port" "$node_port"; done
  REDIS_CONNECTION=$(IFS=,; printf '%s' "${NODES[*]}")
  # What the nodes remember (their nodes.conf): nothing on the first run, so create the cluster; the
  # cluster of all of them with every slot on later runs, so just wait for it. Anything else (the nodes of
  # another ADA_REDIS_CLUSTER or ADA_REDIS_PORT, an interrupted create) is not guessed at.
  fresh=0 formed=0 shapes=()
  for node_port in "${REDIS_PORTS[@]}"; do
    known=$(cluster_info "$node_port" cluster_known_nodes)
    assigned=$(cluster_info "$node_port" cluster_slots_assigned)
    shapes+=("$node_port knows ${known:-?} node(s) and ${assigned:-?} slots")
    if [[ $known == 1 && $assigned == 0 ]]; then
      fresh=$((fresh + 1))
    elif [[ $known == "$CLUSTER_SIZE" && $assigned == 16384 ]]; then
      formed=$((formed + 1))
    fi
  done
  if ((fresh == CLUSTER_SIZE)); then
    say "creating a Redis Cluster of $CLUSTER_SIZE primaries: redis-cli --cluster create ${NODES[*]} --cluster-replicas 0 --cluster-yes"
    timeout "$READY_TIMEOUT" redis-cli --cluster create "${NODES[@]}" --cluster-replicas 0 --cluster-yes \
      </dev/null >"$LOG_DIR/redis-cluster-create.log" 2>&1 || {
      tail_log redis-cluster-create
      die "redis-cli --cluster create failed (see above)"
    }
  elif ((formed == CLUSTER_SIZE)); then
    say "restarting the Redis Cluster of $CLUSTER_SIZE primaries from $REDIS_DATA/<port>/nodes.conf"
  else
    die "the nodes in $REDIS_DATA do not form one cluster of $CLUSTER_SIZE primaries ($(IFS=';'; printf '%s' "${shapes[*]}")): was it made with another ADA_REDIS_CLUSTER or ADA_REDIS_PORT? Start with those, or delete $REDIS_DATA for a new cluster"
  fi
  # Every node must see every slot served (after a restart a primary waits a moment before it says ok).
  deadline=$((SECONDS + READY_TIMEOUT))
  for node_port in "${REDIS_PORTS[@]}"; do
    until [[ $(cluster_info "$node_port" cluster_state) == ok ]]; do
      alive "redis-$node_port" || {
        tail_log "redis-$node_port"
        die "redis-$node_port (redis-server) exited"
      }
      ((SECONDS < deadline)) || {
        tail_log "redis-$node_port"
        die "node $node_port did not report cluster_state:ok within ${READY_TIMEOUT}s (redis-cli -p $node_port cluster info)"
      }
      sleep 0.2
    done
  done
  say "the Redis Cluster is ready: $CLUSTER_SIZE primaries on $REDIS_CONNECTION"
fi

# (e) Each channel's provider, and the settings the sandbox and the API share for it. The sandbox imitates
# only the channels without real credentials (Sandbox__Channels), and its control API under /sandbox/ needs
# this run's token (the X-Sandbox-Token header, or ?token= once in a browser): the sandbox refuses to start
# without one. It is kept in .run/sandbox-token (0600, by the umask above) for other shells and scripts.
SANDBOX_CONTROL_TOKEN=$(random_hex 16)
printf '%s\n' "$SANDBOX_CONTROL_TOKEN" >"$RUN_DIR/sandbox-token"
SANDBOX_AUTH="X-Sandbox-Token: $SANDBOX_CONTROL_TOKEN"
SANDBOX_CHANNELS=()
if $TELEGRAM_SANDBOX; then SANDBOX_CHANNELS+=(telegram); fi
if $VK_SANDBOX; then SANDBOX_CHANNELS+=(vk); fi
if $SMS_SANDBOX; then SANDBOX_CHANNELS+=(sms); fi
if $EMAIL_SANDBOX; then SANDBOX_CHANNELS+=(email); fi
SANDBOX_ENV=(Sandbox__ControlToken="$SANDBOX_CONTROL_TOKEN" Sandbox__Channels="$(IFS=,; echo "${SANDBOX_CHANNELS[*]}")")
API_ENV=()
SMS_ENV=()
EMAIL_ENV=()
if $TELEGRAM_SANDBOX; then
  TELEGRAM_TOKEN=123456:SANDBOX
  TELEGRAM_BASE_URL=$SANDBOX_URL
else
  TELEGRAM_TOKEN=$Telegram__Token
  TELEGRAM_BASE_URL=${Telegram__BaseUrl:-https://api.telegram.org}
  say "Telegram: the real Bot API at $TELEGRAM_BASE_URL"
fi
if $VK_SANDBOX; then
  # The sandbox accepts only this token, and sends its Callback API events (message_allow, message_deny,
  # message_new) to the API as community VK_GROUP_ID with this run's secret.
  VK_TOKEN=vk1.sandbox.$(random_hex 8)
  VK_BASE_URL=$SANDBOX_URL/method/
  VK_GROUP_ID=229000001
  VK_SECRET=$(random_hex 16)
  VK_CONFIRMATION=$(random_hex 4)
  SANDBOX_ENV+=(
    Sandbox__Vk__Token="$VK_TOKEN"
    Sandbox__Vk__CallbackUrl="$API_URL/v1/vk/callback"
    Sandbox__Vk__GroupId="$VK_GROUP_ID"
    Sandbox__Vk__Secret="$VK_SECRET"
  )
  API_ENV+=(Vk__GroupId="$VK_GROUP_ID" Vk__Secret="$VK_SECRET" Vk__Confirmation="$VK_CONFIRMATION")
else
  VK_TOKEN=$Vk__Token
  VK_BASE_URL=${Vk__BaseUrl:-https://api.vk.com/method/}
  say "VK: the real VK API at $VK_BASE_URL"
  [[ -n ${Vk__Secret:-} && -n ${Vk__Confirmation:-} ]] ||
    warn "Vk__Secret and Vk__Confirmation are not set: the API refuses VK's Callback API events (message_allow, link codes)"
fi
if $SMS_SANDBOX; then
  # The sandbox's SMS Gateway for Android (its local-server API at the sandbox's root), with this run's
  # basic-auth password and webhook signing key; the courier registers the gateway's webhooks to the API.
  SMS_USERNAME=ada
  SMS_PASSWORD=$(random_hex 12)
  SMS_SIGNING_KEY=$(random_hex 24)
  SANDBOX_ENV+=(
    Sandbox__Sms__Username="$SMS_USERNAME"
    Sandbox__Sms__Password="$SMS_PASSWORD"
    Sandbox__Sms__SigningKey="$SMS_SIGNING_KEY"
  )
  API_ENV+=(Sms__WebhookSigningKey="$SMS_SIGNING_KEY")
  SMS_ENV+=(
    Sms__Provider=android-gateway
    Sms__BaseUrl="$SANDBOX_URL"
    Sms__Username="$SMS_USERNAME"
    Sms__Password="$SMS_PASSWORD"
    Sms__PublicUrl="$API_URL"
  )
else
  say "SMS: the real provider (${Sms__Provider:-android-gateway}) at ${Sms__BaseUrl:-https://sms.ru}"
  if [[ ${Sms__Provider:-android-gateway} == android-gateway ]]; then
    [[ -n ${Sms__PublicUrl:-} ]] ||
      warn "Sms__PublicUrl is not set: the courier does not register the gateway's webhooks (no delivery reports, no SMS from teachers)"
    [[ -n ${Sms__WebhookSigningKey:-} ]] ||
      warn "Sms__WebhookSigningKey is not set: the API answers the gateway's webhooks with 403"
  fi
fi
if $EMAIL_SANDBOX; then
  # The sandbox's SMTP server on its own port: plain SMTP, no login.
  SANDBOX_ENV+=(Sandbox__Email__Port="$SANDBOX_SMTP_PORT")
  EMAIL_ENV+=(
    Email__Host=127.0.0.1
    Email__Port="$SANDBOX_SMTP_PORT"
    Email__Security=none
    Email__From='Ada <noreply@example.edu>'
  )
else
  say "Email: the real SMTP server at $Email__Host:${Email__Port:-(by Email__Security)}"
  [[ -n ${Email__From:-} ]] || warn "Email__From is not set: the email courier refuses to start"
fi
if $USE_SANDBOX; then
  start sandbox "$(app_dir Ada.Sandbox)" env "${SANDBOX_ENV[@]}" dotnet Ada.Sandbox.dll --urls "$SANDBOX_URL"
fi

# (f) The bootstrap admin token.
if [[ -n ${Ada__AdminToken:-} ]]; then
  ADMIN_TOKEN=$Ada__AdminToken
else
  ADMIN_TOKEN=$(random_hex 24)
fi

# (g) The API and the couriers. Quiet hours are off in the local run unless Scheduling__QuietHours is
# set, so the demo message is delivered when asked, whatever the hour.
QUIET_HOURS=${Scheduling__QuietHours:-}
# The API runs the Telegram bot with the courier's bot: it long-polls the sandbox (or the real Bot API).
start api "$(app_dir Ada.Api)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  Ada__AdminToken="$ADMIN_TOKEN" \
  Scheduling__QuietHours="$QUIET_HOURS" \
  Telegram__Token="$TELEGRAM_TOKEN" \
  Telegram__BaseUrl="$TELEGRAM_BASE_URL" \
  "${API_ENV[@]}" \
  dotnet Ada.Api.dll --urls "$API_URL"
start telegram "$(app_dir Ada.Couriers.Telegram)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  Telegram__Token="$TELEGRAM_TOKEN" \
  Telegram__BaseUrl="$TELEGRAM_BASE_URL" \
  dotnet Ada.Couriers.Telegram.dll --urls "http://127.0.0.1:$TELEGRAM_PORT"
start vk "$(app_dir Ada.Couriers.Vk)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  Vk__Token="$VK_TOKEN" \
  Vk__BaseUrl="$VK_BASE_URL" \
  dotnet Ada.Couriers.Vk.dll --urls "http://127.0.0.1:$VK_PORT"
start sms "$(app_dir Ada.Couriers.Sms)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  "${SMS_ENV[@]}" \
  dotnet Ada.Couriers.Sms.dll --urls "http://127.0.0.1:$SMS_PORT"
start email "$(app_dir Ada.Couriers.Email)" env \
  ConnectionStrings__Redis="$REDIS_CONNECTION" \
  "${EMAIL_ENV[@]}" \
  dotnet Ada.Couriers.Email.dll --urls "http://127.0.0.1:$EMAIL_PORT"

# (h) Wait until every service is ready.
if $USE_SANDBOX; then wait_ready sandbox "$SANDBOX_URL/health/ready"; fi
wait_ready api "$API_URL/health/ready"
wait_ready telegram "http://127.0.0.1:$TELEGRAM_PORT/health/ready"
wait_ready vk "http://127.0.0.1:$VK_PORT/health/ready"
wait_ready sms "http://127.0.0.1:$SMS_PORT/health/ready"
wait_ready email "http://127.0.0.1:$EMAIL_PORT/health/ready"
if $SMS_SANDBOX; then
  # The courier registers sms:received, sms:sent, sms:delivered and sms:failed at start; SMS from teachers
  # reach the API only once sms:received is registered.
  deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fsS --max-time 2 -u "$SMS_USERNAME:$SMS_PASSWORD" "$SANDBOX_URL/webhooks" 2>/dev/null |
    grep -q '"sms:received"'; do
    if ((SECONDS >= deadline)); then
      tail_log sms
      die "the SMS courier did not register its webhooks with the sandbox's SMS gateway within ${READY_TIMEOUT}s"
    fi
    sleep 0.5
  done
  say "the SMS courier registered the gateway's webhooks ($API_URL/v1/sms/inbound, /v1/sms/reports)"
fi

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
  200) say "the directory already has group ivt-21: not seeding (delete $REDIS_DATA for a fresh demo directory)" ;;
  *) warn "GET /v1/groups/ivt-21 answered $status: the demo directory was not seeded" ;;
esac

# A link code for e.gromova (ivt-21, no Telegram yet): opening the sandbox's t.me link signs her up in the bot
# (only the sandbox's Telegram has that page, so no code is made for the real one).
DEMO_STUDENT=e.gromova
DEMO_CODE=
if $TELEGRAM_SANDBOX; then
  DEMO_CODE=$(curl -fsS -X POST -H "$AUTH" "$API_URL/v1/users/$DEMO_STUDENT/link-codes" 2>/dev/null |
    grep -o '"code":"[A-Z0-9]*"' | cut -d'"' -f4) || DEMO_CODE=
fi
SANDBOX_BOT=ada_sandbox_bot # the sandbox's bot (Sandbox__Telegram__BotUsername)
TEACHER_CHAT=900001         # t.ivanova's Telegram chat in deploy/demo-directory.json

if [[ $(curl -s -o /dev/null -w '%{http_code}' "$API_URL/openapi/v1.json") != 200 ]]; then
  warn "$API_URL/openapi/v1.json is not served (see .run/logs/api.log)"
fi

# (j) What to do now. The sendAt below is computed by your shell when you paste the line.
TEACHER_PHONE=+79001000901 # t.ivanova in deploy/demo-directory.json; she owns ivt-21, ivt-22 and ivt-stream
cat <<EOF

Ada is running.
  Web app       $API_URL/
  API           $API_URL
  admin token   $ADMIN_TOKEN
  OpenAPI       $API_URL/openapi/v1.json
EOF
if $USE_SANDBOX; then
  echo "  sandbox token $SANDBOX_CONTROL_TOKEN   (also in .run/sandbox-token, yours only: send it as the X-Sandbox-Token header, or once as ?token= in a browser)"
fi
if $TELEGRAM_SANDBOX; then
  echo "  Telegram      sandbox: $SANDBOX_URL/sandbox/inbox?channel=telegram&token=$SANDBOX_CONTROL_TOKEN"
else
  echo "  Telegram      real Bot API ($TELEGRAM_BASE_URL); the demo chat ids are not real chats"
fi
if $VK_SANDBOX; then
  echo "  VK            sandbox: $SANDBOX_URL/sandbox/inbox?channel=vk&token=$SANDBOX_CONTROL_TOKEN   (Callback API events to $API_URL/v1/vk/callback)"
else
  echo "  VK            real VK API ($VK_BASE_URL); the demo VK ids are not real users"
fi
if $SMS_SANDBOX; then
  echo "  SMS           sandbox SMS Gateway for Android: $SANDBOX_URL/sandbox/inbox?channel=sms&token=$SANDBOX_CONTROL_TOKEN   (signed webhooks to $API_URL/v1/sms/*)"
else
  echo "  SMS           real ${Sms__Provider:-android-gateway} (${Sms__BaseUrl:-https://sms.ru}); the demo phone numbers are not real"
fi
if $EMAIL_SANDBOX; then
  echo "  Email         sandbox SMTP server 127.0.0.1:$SANDBOX_SMTP_PORT: $SANDBOX_URL/sandbox/inbox?channel=email&token=$SANDBOX_CONTROL_TOKEN"
else
  echo "  Email         real SMTP server ($Email__Host); the demo addresses are not real"
fi
if ((CLUSTER_SIZE == 0)); then
  echo "  Redis         $REDIS_CONNECTION (data in $REDIS_DATA)   logs: .run/logs/"
else
  cat <<EOF
  Redis         a Redis Cluster of $CLUSTER_SIZE primaries: $REDIS_CONNECTION
                (data in $REDIS_DATA/<port>/)   logs: .run/logs/
                its nodes and their slots:  redis-cli -c -p $REDIS_PORT cluster nodes
                keys and slots per primary: redis-cli --cluster info 127.0.0.1:$REDIS_PORT
EOF
fi
cat <<EOF
  quiet hours   ${QUIET_HOURS:-none (set Scheduling__QuietHours=22:00-08:00 to try them)}

Sign in to the web app as the demo teacher: open $API_URL/ , type the login t.ivanova and press
"Получить код"; Ada sends her a six-digit code on her channels, to be read in the sandbox (or her phone):
  curl -sS -H "$SANDBOX_AUTH" '$SANDBOX_URL/sandbox/inbox?channel=telegram&chatId=$TEACHER_CHAT'
(An administrator can sign in with the admin token above instead: "Вход для администратора по токену".)

Queue a message to group ivt-21, delivered in 5 seconds (the answer has its "id"); it reaches 3 Telegram
chats, 1 VK user, 3 phones and 3 mailboxes:${QUIET_HOURS:+
  (inside quiet hours it moves to their end; add \"urgent\":true, which the admin may, to send anyway)}
  curl -sS -X POST $API_URL/v1/queue -H "$AUTH" -H 'Content-Type: application/json' -d '{"text":"Lecture moved to room 305","to":{"groups":["ivt-21"]},"sendAt":"'"\$(date --iso-8601=seconds -d '+5 seconds')"'"}'

Follow its delivery (put that id in ID), then see its history and per-person receipts:
  ID='<id>'; curl -sSN -H "$AUTH" "$API_URL/v1/history/\$ID/events"
  curl -sS -H "$AUTH" "$API_URL/v1/history/\$ID"; curl -sS -H "$AUTH" "$API_URL/v1/history/\$ID/receipts"
EOF
if $USE_SANDBOX; then
  cat <<EOF

What each sandboxed channel received:
  curl -sS -H "$SANDBOX_AUTH" '$SANDBOX_URL/sandbox/inbox?channel=telegram'; curl -sS -H "$SANDBOX_AUTH" '$SANDBOX_URL/sandbox/inbox?channel=vk'; curl -sS -H "$SANDBOX_AUTH" '$SANDBOX_URL/sandbox/inbox?channel=sms'
  curl -sS -H "$SANDBOX_AUTH" '$SANDBOX_URL/sandbox/inbox?channel=email'
EOF
fi
if $SMS_SANDBOX; then
  cat <<EOF

Send as teacher t.ivanova by SMS: her phone ($TEACHER_PHONE) writes to the gateway's phone, which passes it to
Ada (groups by id or name before the first ':', the text after it; see docs/sms.md):
  curl -sS -X POST -H "$SANDBOX_AUTH" $SANDBOX_URL/sandbox/sms/inbound -H 'Content-Type: application/json' -d '{"from":"$TEACHER_PHONE","text":"ИВТ-21, ИВТ-22: Семинар перенесён в ауд. 214"}'
Ada answers her by SMS with the message's code ("Ada: queued A7K2P to 8 recipients, ..."); ask how it went:
  curl -sS -H "$SANDBOX_AUTH" '$SANDBOX_URL/sandbox/inbox?channel=sms&chatId=%2B${TEACHER_PHONE#+}'
  curl -sS -X POST -H "$SANDBOX_AUTH" $SANDBOX_URL/sandbox/sms/inbound -H 'Content-Type: application/json' -d '{"from":"$TEACHER_PHONE","text":"STATUS <code>"}'
EOF
fi
if $TELEGRAM_SANDBOX && [[ -n $DEMO_CODE ]]; then
  cat <<EOF

Telegram bot, as a student: open this link in a browser (the sandbox's t.me): it starts the bot with
$DEMO_STUDENT's link code, the bot links the new chat to her and says so; queue the message above again
and it reaches her there too (the chat page shows it):
  $SANDBOX_URL/sandbox/telegram/t.me/$SANDBOX_BOT?start=$DEMO_CODE&token=$SANDBOX_CONTROL_TOKEN
Telegram bot, as teacher t.ivanova: open her chat and type /send (or just a text); pick ИВТ-21 with the
buttons, press Готово, write the text, choose Сейчас, read the summary and press Отправить: that
message then shows the delivery live until the final counts. /history, /status <code>, /cancel <code>:
  $SANDBOX_URL/sandbox/telegram/chat/$TEACHER_CHAT?token=$SANDBOX_CONTROL_TOKEN
EOF
fi
if $VK_SANDBOX; then
  cat <<EOF

VK: n.kozlov (VK id 500008) forbids messages from the community, then allows them again; the sandbox sends
message_deny / message_allow to Ada's Callback API, which turns his VK contact off and on ("inactive":["vk"]):
  curl -sS -X POST -H "$SANDBOX_AUTH" $SANDBOX_URL/sandbox/vk/users/500008/deny; curl -sS -H "$AUTH" $API_URL/v1/users/n.kozlov
  curl -sS -X POST -H "$SANDBOX_AUTH" $SANDBOX_URL/sandbox/vk/users/500008/allow; curl -sS -H "$AUTH" $API_URL/v1/users/n.kozlov
EOF
fi
cat <<EOF

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
