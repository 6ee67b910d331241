#!/usr/bin/env bash
# Dev tool: run the real WGDashboard 4.2.5 in an isolated network + mount namespace, to
# record its answers as test fixtures. Not run by CI; wgfleet's users never need it.
# See README.md beside this file.
set -euo pipefail

WGD_COMMIT="${WGD_COMMIT:-ae160aef239d4bacc3c1b7a8f295b6a9f2e7428e}" # tag v4.2.5
WGD_PORT="${WGD_PORT:-10086}"
# A throwaway API key, fixed so that recorded requests are reproducible (43 chars, token_urlsafe alphabet).
WGD_API_KEY="${WGD_API_KEY:-wgfleetOracleThrowawayKey_00000000000000000}"
PY=/usr/bin/python3
TOOL=oracle
ENV_FILE=oracle.env
# shellcheck source=ns-lib.sh
source "$(dirname "$0")/ns-lib.sh"   # NS_ADDR, SYS_PATH, die, load_env, ns_*, cmd_exec

usage() {
  cat <<EOF
usage:
  $0 start <wgdashboard-git-dir | extracted-src-dir> [workdir]
      <wgdashboard-git-dir>: a git dir of github:WGDashboard/WGDashboard (e.g. what the search
        tool's fetch returns, /work/.mirror/WGDashboard+WGDashboard/repo); the backend tree is taken
        with 'git archive $WGD_COMMIT src' (read-only).
      <extracted-src-dir>: a directory holding dashboard.py (the 'src' of that commit); it is copied.
      [workdir]: empty or absent directory for the run (default: a new mktemp -d under /tmp).
      Prints the path of <workdir>/oracle.env (NS, PID, PORT, KEY, SRC, WORKDIR).
  $0 exec <workdir> <command...>   run a command inside the oracle's network namespace
  $0 stop <workdir> [--keep]        stop it: its pid, the pids in its namespace, the namespace;
                                    removes <workdir> unless --keep
env: WGD_COMMIT (default $WGD_COMMIT), WGD_PORT (default $WGD_PORT), WGD_API_KEY
needs: root, iproute2, util-linux unshare, wireguard-tools, wireguard-go, Debian's /usr/bin/python3 with
  python3-flask python3-flask-cors python3-bcrypt python3-psutil python3-pyotp python3-icmplib
  python3-requests python3-packaging python3-jinja2, and curl (for the readiness check).
EOF
}

check_prereqs() {
  ns_need_root
  local c
  for c in ip unshare nsenter wg wg-quick wireguard-go curl; do
    command -v "$c" >/dev/null || die "missing command: $c"
  done
  [[ -x $PY ]] || die "missing $PY"
  "$PY" -c 'import flask, flask_cors, bcrypt, psutil, pyotp, icmplib, requests, packaging, jinja2' 2>/dev/null \
    || die "$PY lacks modules: apt-get install python3-flask python3-flask-cors python3-bcrypt python3-psutil python3-pyotp python3-icmplib python3-requests python3-packaging python3-jinja2"
  ns_need_mount_points
}

cmd_start() {
  local source="${1:-}" wd="${2:-}"
  [[ -n "$source" ]] || { usage >&2; exit 2; }
  check_prereqs
  wd=$(ns_workdir "$wd" /tmp/wgd-oracle.XXXXXX)

  # 1. the backend tree
  if [[ -f "$source/dashboard.py" ]]; then
    cp -a "$source" "$wd/src"
  elif git --git-dir "$source" cat-file -e "$WGD_COMMIT^{commit}" 2>/dev/null; then
    git --git-dir "$source" archive "$WGD_COMMIT" src | tar -x -C "$wd"
  else
    die "$source is neither a src dir with dashboard.py nor a git dir holding $WGD_COMMIT"
  fi
  local src="$wd/src"
  mkdir -p "$src/db" "$src/log" "$src/download" "$src/attachments" "$wd/etc-upper" "$wd/etc-work"
  : > "$wd/empty-resolv.conf"

  # 2. wg-dashboard.ini (it fills in every other default itself) and a seeded API key
  cat > "$src/wg-dashboard.ini" <<EOF
[Server]
app_ip = 127.0.0.1
app_port = $WGD_PORT
dashboard_api_key = true
wg_conf_path = /etc/wireguard

EOF
  WGD_DB="$src/db/wgdashboard.db" WGD_KEY="$WGD_API_KEY" "$PY" - <<'EOF'
import os, sqlite3
db = sqlite3.connect(os.environ["WGD_DB"])
# same schema as WGDashboard 4.2.5 creates for this table
db.execute("CREATE TABLE DashboardAPIKeys (Key VARCHAR NOT NULL PRIMARY KEY, CreatedAt DATETIME NOT NULL DEFAULT (datetime('now', 'localtime')), ExpiredAt VARCHAR)")
db.execute("INSERT INTO DashboardAPIKeys (Key, ExpiredAt) VALUES (?, NULL)", (os.environ["WGD_KEY"],))
db.commit()
EOF

  # 3. a network namespace with no link to the root namespace: only lo
  local ns="wgdo-$$-$RANDOM"
  ns_add "$wd" "$ns" <<EOF
PID=
PORT=$WGD_PORT
KEY=$WGD_API_KEY
SRC=$src
WORKDIR=$wd
COMMIT=$WGD_COMMIT
EOF

  # 4. private mount namespace: /etc as an overlay (so names like ../x cannot write the real /etc),
  #    tmpfs on /etc/wireguard and /run/wireguard, an empty file over /etc/resolv.conf
  setsid ip netns exec "$ns" unshare -m --propagation private sh -c '
      set -e
      wd="$1"
      mount -t overlay overlay -o "lowerdir=/etc,upperdir=$wd/etc-upper,workdir=$wd/etc-work" /etc
      mount -t tmpfs -o mode=0700 none /etc/wireguard
      mount -t tmpfs none /run/wireguard
      mount --bind "$wd/empty-resolv.conf" /etc/resolv.conf
      cd "$wd/src"
      echo $$ > "$wd/pid"
      exec env -i PATH="$2" HOME=/root LANG=C.UTF-8 "$3" -u dashboard.py
    ' oracle "$wd" "$SYS_PATH" "$PY" >"$wd/dashboard.log" 2>&1 </dev/null &
  local launcher=$!

  # 5. bounded wait for its pid and for /api/handshake to answer 200 with the key
  ns_wait_ready "$wd" "$ns" "$launcher" "$wd/dashboard.log" 150 \
    -H "wg-dashboard-apikey: $WGD_API_KEY" "http://127.0.0.1:$WGD_PORT/api/handshake" >/dev/null
  echo "$wd/oracle.env"
}

cmd_stop() {
  # what is left in its namespace after its pid (wireguard-go daemons started by wg-quick) is ours
  ns_stop "${1:-}" "${2:-}" 50 30
}

ns_main "$@"
