#!/usr/bin/env bash
# Dev tool: run a built wgfleet checkout (`node dist/apps/api/src/main.js`, embedded PostgreSQL) in
# its own network + mount namespace, so its `local` node (this machine = that namespace) brings up
# its wireguard-go interfaces there and never in the root namespace. The counterpart of oracle.sh
# for side-by-side.sh and web-page.sh. Not run by CI. See README.md beside this file.
set -euo pipefail

WGF_PORT="${WGF_PORT:-8080}"
# The oracle's address too: both `local` nodes then find the same remote endpoint (UDP connect to 1.1.1.1).
NS_ADDR="172.16.77.1"
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() {
  cat <<EOF
usage:
  $0 start <wgfleet-checkout> [workdir]
      <wgfleet-checkout>: a checkout where 'npm run build' has run (dist/apps/api/src/main.js); the
        'postgres' user must be able to enter it (PostgreSQL refuses root; wgfleet runs it as postgres).
      [workdir]: empty or absent directory for the run (default: a new mktemp -d under /tmp, mode 0711);
        DATA_DIR is <workdir>/data.
      Starts the API, waits for /ready, issues a WGDashboard key for the local node
      ('cli.js wgdashboard-key' in the same namespaces and environment) and prints the path of
      <workdir>/wgfleet.env (NS, PID, PORT, KEY, CHECKOUT, WORKDIR).
  $0 exec <workdir> <command...>   run a command inside its network namespace
  $0 stop <workdir> [--keep]        stop it: its pid, the pids in its namespace (PostgreSQL,
                                    wireguard-go), the namespace; removes <workdir> unless --keep
env: WGF_PORT (default $WGF_PORT), WGF_ENV (extra 'NAME=value' settings for the API, space-separated)
needs: root, iproute2, util-linux unshare and nsenter, wireguard-tools, wireguard-go, iptables, curl, /usr/bin/node
EOF
}

die() { echo "wgfleet-ns: $*" >&2; exit 1; }

load_env() {
  [[ -f "$1/wgfleet.env" ]] || die "no $1/wgfleet.env"
  # shellcheck disable=SC1091
  source "$1/wgfleet.env"
}

cmd_start() {
  local checkout="${1:-}" wd="${2:-}"
  [[ -n "$checkout" ]] || { usage >&2; exit 2; }
  [[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, mounts)"
  checkout=$(cd "$checkout" && pwd)
  [[ -f "$checkout/dist/apps/api/src/main.js" ]] || die "$checkout has no dist/apps/api/src/main.js: run 'npm run build' there"
  su -s /bin/sh postgres -c "test -x '$checkout/node_modules/'" 2>/dev/null \
    || die "the postgres user cannot enter $checkout/node_modules (PostgreSQL's binaries live there)"
  [[ -d /etc/wireguard ]] || die "/etc/wireguard must exist (mount point)"
  mkdir -p /run/wireguard
  if [[ -z "$wd" ]]; then wd=$(mktemp -d /tmp/wgfleet-ns.XXXXXX); else mkdir -p "$wd"; fi
  wd=$(cd "$wd" && pwd)
  [[ -z "$(ls -A "$wd")" ]] || die "$wd is not empty"
  chmod 0711 "$wd"
  mkdir -m 0711 "$wd/data"
  : > "$wd/empty-resolv.conf"

  # The API's environment: the README's defaults plus what this run needs. The rate limit is lifted
  # so that a scripted session is never throttled (a limit upstream does not have).
  local -a api_env=(PATH="$SYS_PATH" HOME=/root LANG=C.UTF-8 HOST=127.0.0.1 PORT="$WGF_PORT"
    DATA_DIR="$wd/data" LOG_LEVEL=info RATE_LIMIT_PER_MINUTE=1000000 POLL_INTERVAL_MS=2000
    RECONCILE_INTERVAL_MS=5000)
  # shellcheck disable=SC2206
  [[ -n "${WGF_ENV:-}" ]] && api_env+=($WGF_ENV)
  printf '%q ' "${api_env[@]}" > "$wd/api-env"

  # a network namespace with no link to the root namespace: only lo
  local ns="wgfs-$$-$RANDOM"
  ip netns add "$ns"
  cat > "$wd/wgfleet.env" <<EOF
NS=$ns
PID=
PORT=$WGF_PORT
KEY=
CHECKOUT=$checkout
WORKDIR=$wd
EOF
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$NS_ADDR/32" dev lo
  ip -n "$ns" route add default dev lo src "$NS_ADDR"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.addr_gen_mode=1 || true
  local links
  links=$(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
  [[ "$links" == "lo " ]] || { cmd_stop "$wd" --keep; die "unexpected links in $ns: $links"; }

  # a private mount namespace: tmpfs on /etc/wireguard and /run/wireguard, an empty resolv.conf
  setsid ip netns exec "$ns" unshare -m --propagation private bash -c '
      set -e
      wd="$1"; checkout="$2"
      mount -t tmpfs -o mode=0700 none /etc/wireguard
      mount -t tmpfs none /run/wireguard
      mount --bind "$wd/empty-resolv.conf" /etc/resolv.conf
      cd "$checkout"
      echo $$ > "$wd/pid"
      eval "exec env -i $(cat "$wd/api-env") /usr/bin/node dist/apps/api/src/main.js"
    ' wgfleet "$wd" "$checkout" >"$wd/api.log" 2>&1 </dev/null &
  local launcher=$!

  local i pid="" code=""
  for i in $(seq 1 100); do
    [[ -s "$wd/pid" ]] && { pid=$(cat "$wd/pid"); break; }
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$pid" ]] || { cat "$wd/api.log" >&2; cmd_stop "$wd" --keep; die "did not start"; }
  sed -i "s/^PID=.*/PID=$pid/" "$wd/wgfleet.env"
  for i in $(seq 1 300); do   # bounded: 60 s (the first start creates the PostgreSQL cluster)
    kill -0 "$pid" 2>/dev/null || break
    code=$(ip netns exec "$ns" curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WGF_PORT/ready" || true)
    [[ "$code" == 200 ]] && break
    sleep 0.2
  done
  if [[ "$code" != 200 ]]; then
    tail -n 30 "$wd/api.log" >&2
    cmd_stop "$wd" --keep
    die "not ready (last code: ${code:-none}); log kept in $wd"
  fi

  # the key, from the CLI run in the API's own namespaces with the same environment
  local key
  key=$(cd "$checkout" && eval "timeout 60 nsenter -t $pid -m -n env -i $(cat "$wd/api-env") /usr/bin/node $checkout/dist/apps/api/src/cli.js wgdashboard-key" 2>>"$wd/cli.log" | tail -n 1) || true
  [[ -n "$key" ]] || { cat "$wd/cli.log" >&2; cmd_stop "$wd" --keep; die "wgdashboard-key printed no key; log kept in $wd"; }
  sed -i "s/^KEY=.*/KEY=$key/" "$wd/wgfleet.env"
  echo "$wd/wgfleet.env"
}

cmd_exec() {
  local wd="${1:-}"; shift || true
  [[ -n "$wd" && $# -gt 0 ]] || { usage >&2; exit 2; }
  load_env "$wd"
  exec ip netns exec "$NS" "$@"
}

cmd_stop() {
  local wd="${1:-}" keep="${2:-}"
  [[ -n "$wd" ]] || { usage >&2; exit 2; }
  load_env "$wd"
  local p i
  if [[ -n "${PID:-}" ]] && kill -0 "$PID" 2>/dev/null; then
    # SIGTERM: the API stops, then its embedded PostgreSQL
    kill -TERM "$PID" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  if ip netns list | awk '{print $1}' | grep -qx "$NS"; then
    # what is left in its namespace (PostgreSQL after a kill, wireguard-go daemons) is ours
    for p in $(ip netns pids "$NS"); do kill -TERM "$p" 2>/dev/null || true; done
    for i in $(seq 1 50); do [[ -z "$(ip netns pids "$NS")" ]] && break; sleep 0.1; done
    for p in $(ip netns pids "$NS"); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$NS"
  fi
  if [[ "$keep" != "--keep" ]]; then
    case "$WORKDIR" in /tmp/*|/var/tmp/*) rm -rf "$WORKDIR" ;; *) echo "wgfleet-ns: left $WORKDIR in place" >&2 ;; esac
  fi
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  exec) shift; cmd_exec "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
