#!/usr/bin/env bash
# Dev tool: the side-by-side run. Starts the real WGDashboard 4.2.5 (oracle.sh) and a built wgfleet
# checkout (wgfleet-ns.sh), each in its own network + mount namespace, sends both the same 50-call
# session (side-by-side.mjs) and prints one line per call and "N of 50 identical". Not run by CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
  cat <<EOF
usage: $0 [wgfleet-checkout] [--wgd <wgdashboard-git-dir | extracted-src-dir>] [--out <dir>]
  [wgfleet-checkout]: default $(cd "$here/../.." && pwd) (the checkout holding this script);
    'npm run build' must have run there, and the postgres user must be able to enter it.
  --wgd: default /work/.mirror/WGDashboard+WGDashboard/repo (see oracle.sh)
  --out: where upstream.json, wgfleet.json (every exchange) and report.txt are written
    (default: a new mktemp -d under /tmp, printed at the end)
Exit code: 0 when every call is identical, 1 otherwise, 2 on a usage or start error.
env: WGD_KEEP=1 keeps both work dirs (dashboard.log, api.log) for inspection.
EOF
}

# shellcheck source=measure-lib.sh
source "$here/measure-lib.sh"   # checkout, measure_args, start_wgfleet, stop_wgfleet, checkout_label
wgd_src=/work/.mirror/WGDashboard+WGDashboard/repo
out=""
measure_args wgd=wgd_src out=out -- "$@"
[[ -n "$out" ]] || out=$(mktemp -d /tmp/wgd-side-by-side.XXXXXX)
mkdir -p "$out"; out=$(cd "$out" && pwd)

oracle_wd=""
cleanup() {
  [[ -n "$oracle_wd" ]] && "$here/oracle.sh" stop "$oracle_wd" ${WGD_KEEP:+--keep} || true
  stop_wgfleet
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node "$here/side-by-side.mjs" keys > "$out/keys.json"

echo "== starting the real WGDashboard 4.2.5 (oracle.sh)"
oracle_env=$("$here/oracle.sh" start "$wgd_src") || exit 2
oracle_wd=$(dirname "$oracle_env")
# The port upstream listens on, so that getDashboardConfiguration's Server.app_port is the same on both sides.
WGF_PORT=10086 start_wgfleet

# Each session runs inside its side's namespace, bounded in time.
( source "$oracle_env"
  echo "== session against upstream ($NS)"
  timeout 120 "$here/oracle.sh" exec "$WORKDIR" /usr/bin/node "$here/side-by-side.mjs" run --port "$PORT" --key "$KEY" \
    --keys "$out/keys.json" --out "$out/upstream.json" )
( source "$wgfleet_env"
  echo "== session against wgfleet ($NS)"
  timeout 120 "$here/wgfleet-ns.sh" exec "$WORKDIR" /usr/bin/node "$here/side-by-side.mjs" run --port "$PORT" --key "$KEY" \
    --keys "$out/keys.json" --out "$out/wgfleet.json" )

echo "== comparison (wgfleet: $(checkout_label))"
node "$here/side-by-side.mjs" compare "$out/upstream.json" "$out/wgfleet.json" | tee "$out/report.txt"
echo "exchanges and report: $out"
grep -q '^50 of 50 identical$' "$out/report.txt"
