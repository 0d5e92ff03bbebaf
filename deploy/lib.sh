# shellcheck shell=bash
# Helpers shared by deploy/run.sh and deploy/test.sh. Sourced, not run.

# Progress and errors go to stderr, so stdout stays for what the user asked for.
say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# as_root CMD...: runs CMD as root: directly when we are root, through sudo otherwise.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root: run this script as root, or install sudo"
  fi
}

# ensure_commands COMMAND:PACKAGE...: installs (apt-get) the Debian packages of the missing commands.
# Example: ensure_commands redis-server:redis-server curl:curl
ensure_commands() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "${missing[*]} missing and there is no apt-get: install ${missing[*]} yourself"
  say "installing ${missing[*]} with apt-get"
  as_root apt-get update -qq
  # The redis-server package also enables Debian's own Redis service (port 6379); Ada's runs do not use it.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
