#!/usr/bin/env bash
# Dev tool: WGDashboard 4.2.5's own web page against wgfleet, cross-origin, in "Access Remote Server"
# mode. Starts wgfleet in its own namespaces (wgfleet-ns.sh), takes upstream's committed build
# (src/static/app/dist at v4.2.5) into a scratch folder under /tmp with git archive (never into a
# repository), and runs web-page.mjs inside the namespace: a static server on another loopback port
# and Debian's chromium driven by playwright-core. Not run by CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
WGD_COMMIT="${WGD_COMMIT:-ae160aef239d4bacc3c1b7a8f295b6a9f2e7428e}" # tag v4.2.5

usage() {
  cat <<EOF
usage: $0 [wgfleet-checkout] [--wgd <wgdashboard-git-dir>] [--pw <prefix>] [--screens <dir>] [--out <file>]
  [wgfleet-checkout]: default $(cd "$here/../.." && pwd); 'npm run build' must have run there.
  --wgd: a git dir holding $WGD_COMMIT (default /work/.mirror/WGDashboard+WGDashboard/repo)
  --pw: where playwright-core is installed, outside the repository (default /work/scratch/pw;
        install with: npm i --prefix /work/scratch/pw playwright-core)
  --screens: where screenshots go (default /work/scratch/screens)
  --out: also write the steps as JSON there
Needs Debian's /usr/bin/chromium. Exit code: 0 when every step worked, 1 otherwise, 2 on a start error.
env: WGD_KEEP=1 keeps wgfleet's work dir (api.log); WEB_PAGE_VERBOSE=1 lists events of every step.
EOF
}

# shellcheck source=measure-lib.sh
source "$here/measure-lib.sh"   # checkout, measure_args, start_wgfleet, stop_wgfleet, checkout_label
wgd_git=/work/.mirror/WGDashboard+WGDashboard/repo
pw=/work/scratch/pw
screens=/work/scratch/screens
out=""
measure_args wgd=wgd_git pw=pw screens=screens out=out -- "$@"
[[ -x /usr/bin/chromium ]] || { echo "web-page: /usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 2; }
[[ -d "$pw/node_modules/playwright-core" ]] || { echo "web-page: no playwright-core under $pw (npm i --prefix $pw playwright-core)" >&2; exit 2; }
mkdir -p "$screens"

dist=""
cleanup() {
  stop_wgfleet
  [[ -n "$dist" ]] && rm -rf "$dist"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# upstream's committed build, into a scratch folder (the static server serves it under its own paths)
dist=$(mktemp -d /tmp/wgd-page.XXXXXX)   # the build under static/app/dist, and chromium's profile
chmod 0755 "$dist"
git --git-dir "$wgd_git" archive "$WGD_COMMIT" src/static/app/dist | tar -x -C "$dist" --strip-components=1
mkdir "$dist/profile"
[[ -f "$dist/static/app/dist/index.html" ]] || { echo "web-page: no index.html in the archive" >&2; exit 2; }

start_wgfleet
# shellcheck disable=SC1090
source "$wgfleet_env"
echo "== driving the web page ($NS; wgfleet $(checkout_label))"
rc=0
timeout 170 "$here/wgfleet-ns.sh" exec "$WORKDIR" env HOME=/root /usr/bin/node "$here/web-page.mjs" \
  --api "http://127.0.0.1:$PORT" --key "$KEY" --dist "$dist" --profile "$dist/profile" --pw "$pw" --screens "$screens" ${out:+--out "$out"} || rc=$?
echo "screenshots: $screens"
exit $rc
