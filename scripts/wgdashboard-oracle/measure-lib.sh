# shellcheck shell=bash
# Sourced by side-by-side.sh and web-page.sh (never run on its own): their shared arguments and the
# start and stop of the wgfleet under measure (wgfleet-ns.sh). Before sourcing, the caller sets
# `here` (this folder) and defines usage.

checkout="$(cd "$here/../.." && pwd)"   # default: the checkout holding these scripts
wgfleet_wd=""

# measure_args <option=variable>... -- "$@": reads [wgfleet-checkout] into `checkout` (made absolute)
# and each named `--option value` into its variable; -h prints usage, any other option is refused.
measure_args() {
  local -A vars=()
  while [[ "$1" != -- ]]; do vars["--${1%%=*}"]="${1#*=}"; shift; done
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -h|--help) usage; exit 0 ;;
      -*) [[ -n "${vars[$1]:-}" ]] || { usage >&2; exit 2; }
          printf -v "${vars[$1]}" '%s' "$2"; shift 2 ;;
      *) checkout="$1"; shift ;;
    esac
  done
  checkout=$(cd "$checkout" && pwd)
}

# start_wgfleet: starts wgfleet from `checkout` in its own namespaces; sets wgfleet_env and wgfleet_wd
# (the caller's cleanup then stops it with stop_wgfleet). Exit 2 when it does not start.
start_wgfleet() {
  echo "== starting wgfleet from $checkout (wgfleet-ns.sh)"
  wgfleet_env=$("$here/wgfleet-ns.sh" start "$checkout") || exit 2
  wgfleet_wd=$(dirname "$wgfleet_env")
}

# stop_wgfleet: for the caller's EXIT trap; WGD_KEEP=1 keeps its work dir (api.log) for inspection.
stop_wgfleet() {
  [[ -n "$wgfleet_wd" ]] && "$here/wgfleet-ns.sh" stop "$wgfleet_wd" ${WGD_KEEP:+--keep} || true
}

# checkout_label: the measured checkout's short commit and branch, for the report's heading.
checkout_label() {
  echo "$(git -C "$checkout" rev-parse --short HEAD 2>/dev/null || echo '?') $(git -C "$checkout" rev-parse --abbrev-ref HEAD 2>/dev/null || true)"
}
