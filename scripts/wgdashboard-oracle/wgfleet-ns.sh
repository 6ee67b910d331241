#!/usr/bin/env bash
# Dev tool: run a built wgfleet checkout (`node dist/apps/api/src/main.js`, embedded PostgreSQL) in
# its own network + mount namespace, so its `local` node (this machine = that namespace) brings up
# its wireguard-go interfaces there and never in the root namespace. The counterpart of oracle.sh
# for side-by-side.sh and web-page.sh. Not run by CI. See README.md beside this file.
set -euo pipefail

WGF_PORT="${WGF_PORT:-8080}"
TOOL=wgfleet-ns
ENV_FILE=wgfleet.env
# shellcheck source=ns-lib.sh
source "$(dirname "$0")/ns-lib.sh"   # NS_ADDR (the oracle's address too), SYS_PATH, die, load_env, ns_*, cmd_exec

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

cmd_start() {
  local checkout="${1:-}" wd="${2:-}"
  [[ -n "$checkout" ]] || { usage >&2; exit 2; }
  ns_need_root
  checkout=$(cd "$checkout" && pwd)
  [[ -f "$checkout/dist/apps/api/src/main.js" ]] || die "$checkout has no dist/apps/api/src/main.js: run 'npm run build' there"
  su -s /bin/sh postgres -c "test -x '$checkout/node_modules/'" 2>/dev/null \
    || die "the postgres user cannot enter $checkout/node_modules (PostgreSQL's binaries live there)"
  ns_need_mount_points
  wd=$(ns_workdir "$wd" /tmp/wgfleet-ns.XXXXXX)
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
  ns_add "$wd" "$ns" <<EOF
PID=
PORT=$WGF_PORT
KEY=
CHECKOUT=$checkout
WORKDIR=$wd
EOF

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

  local pid
  # bounded: 60 s (the first start creates the PostgreSQL cluster)
  pid=$(ns_wait_ready "$wd" "$ns" "$launcher" "$wd/api.log" 300 "http://127.0.0.1:$WGF_PORT/ready")

  # the key, from the CLI run in the API's own namespaces with the same environment
  local key
  key=$(cd "$checkout" && eval "timeout 60 nsenter -t $pid -m -n env -i $(cat "$wd/api-env") /usr/bin/node $checkout/dist/apps/api/src/cli.js wgdashboard-key" 2>>"$wd/cli.log" | tail -n 1) || true
  [[ -n "$key" ]] || { cat "$wd/cli.log" >&2; cmd_stop "$wd" --keep; die "wgdashboard-key printed no key; log kept in $wd"; }
  sed -i "s/^KEY=.*/KEY=$key/" "$wd/wgfleet.env"
  echo "$wd/wgfleet.env"
}

cmd_stop() {
  # SIGTERM: the API stops, then its embedded PostgreSQL (10 s); what is left in its namespace
  # afterwards (PostgreSQL after a kill, wireguard-go daemons) is ours
  ns_stop "${1:-}" "${2:-}" 100 50
}

ns_main "$@"
