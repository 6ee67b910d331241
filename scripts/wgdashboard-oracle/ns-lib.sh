# shellcheck shell=bash
# Sourced by oracle.sh and wgfleet-ns.sh (never run on its own): what both do to run one program in
# a network namespace holding only lo plus a private mount namespace, and to end it by its pid and by
# membership of that namespace, never by name. Before sourcing, the caller sets TOOL (its name, the
# prefix of its messages) and ENV_FILE (the name of its <workdir>/*.env, holding NS, PID, WORKDIR),
# and defines usage and cmd_stop (which calls ns_stop with its own waits).

# Both namespaces get this address on lo: WGDashboard's UDP connect to 1.1.1.1 at import stays inside
# (it becomes `remote_endpoint`), and both `local` nodes then find the same remote endpoint.
NS_ADDR="172.16.77.1"
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "$TOOL: $*" >&2; exit 1; }

load_env() {
  [[ -f "$1/$ENV_FILE" ]] || die "no $1/$ENV_FILE"
  # shellcheck disable=SC1090
  source "$1/$ENV_FILE"
}

ns_need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, mounts)"
}

ns_need_mount_points() {
  [[ -d /etc/wireguard ]] || die "/etc/wireguard must exist (mount point)"
  mkdir -p /run/wireguard
}

# ns_workdir <workdir or ''> <mktemp template>: prints the run's work dir as an absolute path (a new
# mktemp -d when none is given); refuses one that is not empty.
ns_workdir() {
  local wd="$1"
  if [[ -z "$wd" ]]; then wd=$(mktemp -d "$2"); else mkdir -p "$wd"; fi
  wd=$(cd "$wd" && pwd)
  [[ -z "$(ls -A "$wd")" ]] || die "$wd is not empty"
  echo "$wd"
}

# ns_add <workdir> <ns> < env lines: adds the network namespace <ns> with no link to the root
# namespace: only lo, with NS_ADDR and a default route through lo. addr_gen_mode=1 there, so that
# wireguard-go's TUN gets no link-local address that `wg-quick save` would write into the `.conf`.
# Right after adding it, writes <workdir>/$ENV_FILE (NS=<ns>, then the lines on stdin), so that
# cmd_stop finds the namespace from then on. It refuses to go on (cmd_stop --keep, then die) if the
# namespace has any link but lo.
ns_add() {
  local wd="$1" ns="$2" links
  ip netns add "$ns"
  { echo "NS=$ns"; cat; } > "$wd/$ENV_FILE"
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$NS_ADDR/32" dev lo
  ip -n "$ns" route add default dev lo src "$NS_ADDR"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.addr_gen_mode=1 || true
  links=$(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
  [[ "$links" == "lo " ]] || { cmd_stop "$wd" --keep; die "unexpected links in $ns: $links"; }
}

# ns_wait_ready <workdir> <ns> <launcher pid> <log> <tries> <curl arguments...>: bounded wait (10 s) for
# the program's pid, which the launcher writes to <workdir>/pid just before exec, recorded as PID in
# <workdir>/$ENV_FILE; then bounded wait (<tries> × 0.2 s, plus curl's 2 s at most per try) until curl
# inside <ns> gets 200. Prints the pid. When either fails: the log on stderr, cmd_stop --keep,
# die (the work dir is kept for inspection).
ns_wait_ready() {
  local wd="$1" ns="$2" launcher="$3" log="$4" tries="$5" i pid="" code=""
  shift 5
  for i in $(seq 1 100); do
    [[ -s "$wd/pid" ]] && { pid=$(cat "$wd/pid"); break; }
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$pid" ]] || { cat "$log" >&2; cmd_stop "$wd" --keep; die "did not start"; }
  sed -i "s/^PID=.*/PID=$pid/" "$wd/$ENV_FILE"
  for i in $(seq 1 "$tries"); do
    kill -0 "$pid" 2>/dev/null || break
    code=$(ip netns exec "$ns" curl -s -m 2 -o /dev/null -w '%{http_code}' "$@" || true)
    [[ "$code" == 200 ]] && break
    sleep 0.2
  done
  if [[ "$code" != 200 ]]; then
    tail -n 30 "$log" >&2
    cmd_stop "$wd" --keep
    die "not ready (last code: ${code:-none}); log kept in $wd"
  fi
  echo "$pid"
}

cmd_exec() {
  local wd="${1:-}"; shift || true
  [[ -n "$wd" && $# -gt 0 ]] || { usage >&2; exit 2; }
  load_env "$wd"
  exec ip netns exec "$NS" "$@"
}

# ns_stop <workdir> <--keep or ''> <pid wait> <namespace wait>: ends PID (SIGTERM, up to <pid wait>
# tenths of a second, then SIGKILL), then whatever `ip netns pids` lists in its own namespace (SIGTERM,
# up to <namespace wait> tenths, then SIGKILL): everything in there was started by this run. Deletes
# the namespace, and the work dir unless --keep (only under /tmp or /var/tmp).
ns_stop() {
  local wd="${1:-}" keep="${2:-}" pid_wait="$3" ns_wait="$4"
  [[ -n "$wd" ]] || { usage >&2; exit 2; }
  load_env "$wd"
  local p i
  if [[ -n "${PID:-}" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for i in $(seq 1 "$pid_wait"); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  if ip netns list | awk '{print $1}' | grep -qx "$NS"; then
    for p in $(ip netns pids "$NS"); do kill -TERM "$p" 2>/dev/null || true; done
    for i in $(seq 1 "$ns_wait"); do [[ -z "$(ip netns pids "$NS")" ]] && break; sleep 0.1; done
    for p in $(ip netns pids "$NS"); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$NS"
  fi
  if [[ "$keep" != "--keep" ]]; then
    case "$WORKDIR" in /tmp/*|/var/tmp/*) rm -rf "$WORKDIR" ;; *) echo "$TOOL: left $WORKDIR in place" >&2 ;; esac
  fi
}

ns_main() {
  case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    exec) shift; cmd_exec "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}
