#!/usr/bin/env bash
# Dev tool: start a fresh real WGDashboard 4.2.5 (oracle.sh), record every case of record.mjs into
# test/fixtures/wgdashboard/, write that folder's README.md, stop it. Not run by CI.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
  cat <<EOF
usage: $0 <wgdashboard-git-dir | extracted-src-dir> [out-dir] [-- record.mjs options, e.g. --only a,b]
  <wgdashboard-git-dir>: git dir of github:WGDashboard/WGDashboard holding commit
    ae160aef239d4bacc3c1b7a8f295b6a9f2e7428e (v4.2.5), e.g. /work/.mirror/WGDashboard+WGDashboard/repo
  <extracted-src-dir>: its 'src' directory (with dashboard.py), from
    git --git-dir <git-dir> archive ae160aef239d4bacc3c1b7a8f295b6a9f2e7428e src | tar -x -C <tmp>
  [out-dir]: default $repo/test/fixtures/wgdashboard (its *.json are replaced)
env: WGD_KEEP=1 keeps the oracle's work dir (dashboard.log, src/db, /etc overlay) after the run;
  WGD_COMMIT, WGD_PORT, WGD_API_KEY as in oracle.sh
EOF
  exit 2
fi
source_arg="$1"; shift
out="$repo/test/fixtures/wgdashboard"
if [[ $# -gt 0 && "$1" != -- ]]; then out="$1"; shift; fi
[[ "${1:-}" == -- ]] && shift
mkdir -p "$out"
out=$(cd "$out" && pwd)

envfile=$("$here/oracle.sh" start "$source_arg")
wd=$(dirname "$envfile")
trap '"$here/oracle.sh" stop "$wd" ${WGD_KEEP:+--keep}' EXIT
# shellcheck disable=SC1090
source "$envfile"

"$here/oracle.sh" exec "$wd" /usr/bin/node "$here/record.mjs" --port "$PORT" --key "$KEY" --out "$out" "$@"

# For the README: what was running.
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
python_ver=$(/usr/bin/python3 -c 'import sys; print(sys.version.split()[0])')
{
  cat <<EOF
# Recorded answers of the real WGDashboard 4.2.5

Each \`<case>.json\` is one exchange with the real WGDashboard, recorded by
\`scripts/wgdashboard-oracle/record.sh\` (see \`scripts/wgdashboard-oracle/README.md\`):

\`\`\`
{ "request": {"method","path","headers","body"},   // body: the exact text sent, or null
  "status": <int>, "reason": "<reason phrase>",
  "headers": {…},   // only Content-Type, Content-Length, Access-Control-*, Vary, Location, Allow; never Date/Server
  "body": "<exact response body text>" }
\`\`\`

The cases run **in order against one fresh instance** (state carries over: \`wg0\` is added, gets peers,
is toggled, then deleted). The request \`headers\` are those the recorder set; Node also sent
\`Host: 127.0.0.1:$PORT\` and \`Connection: close\`.

- Recorded: $(date -u '+%Y-%m-%d %H:%M UTC')
- WGDashboard: commit \`$COMMIT\` (tag v4.2.5), backend \`src/\` run as \`python3 -u dashboard.py\`
  (Werkzeug development server, as \`wgd.sh debug\`), in its own network + mount namespace.
- Debian bookworm packages: python3 $python_ver (/usr/bin/python3), python3-flask $(ver python3-flask),
  python3-werkzeug $(ver python3-werkzeug), python3-flask-cors $(ver python3-flask-cors),
  python3-bcrypt $(ver python3-bcrypt), python3-psutil $(ver python3-psutil), python3-pyotp $(ver python3-pyotp),
  python3-icmplib $(ver python3-icmplib), python3-requests $(ver python3-requests),
  wireguard-tools $(ver wireguard-tools), wireguard-go $(ver wireguard-go).
- Server header (not kept in fixtures): \`Werkzeug/$(ver python3-werkzeug | cut -d- -f1) Python/$python_ver\`.

EOF
  cat <<'EOF'
## What differs from a pip install of 4.2.5
- **Werkzeug 2.2**: a POST whose body is not JSON (`post-text-plain-*`, `post-no-body-*`) gets
  **400** with Werkzeug's HTML "Bad Request" page; Werkzeug ≥ 2.3 (what `wgd.sh install` gets)
  answers **415** "Unsupported Media Type" there. Both happen before authentication.
- flask-cors 3.0.10 (PyPI: 6.x) produced the `Access-Control-*`/`Vary` headers.
- The `Server` header and connection handling are those of the Werkzeug dev server, not gunicorn.

## Observed here, beyond the notes
- A **mixed-case key** skips validation in `updateDashboardConfigurationItem`: `peer_global_dns` with
  `"not a dns"` fails (`"notadns does not appear to be an valid DNS address"`: spaces removed), but
  `peer_global_DNS` (the spelling of the defaults) is stored and answered `status:true`
  (`updateDashboardConfigurationItem-bad-dns*`): the check compares the key as sent, configparser
  stores it lower-cased.
- CORS: with an `Origin` header the origin is echoed with `Vary: Origin`. Every `OPTIONS` is answered
  `{"data":null,"message":null,"status":true}` before authentication (any key or none, real or unknown
  path). A preflight whose `Access-Control-Request-Method` is in the list (compared upper-cased; `PUT`
  is not) also gets `Access-Control-Allow-Methods: DELETE, POST, GET, OPTIONS` and, of the requested
  headers, those allowed (`content-type`, `wg-dashboard-apikey`, in any case) as sent, sorted, joined
  with `, ` (none allowed: no such header) (`options-preflight-*`). HTML error pages (400/404/405/500)
  carry `Access-Control-Allow-Origin` too; `/fileDownload` (outside `/api/`) carries none.
- Two `wg-dashboard-apikey` headers are read joined with `, `: 401 "API Key does not exist", even when
  the first is valid (`handshake-two-keys`).
- `authenticate` with a valid key does not read the body: it answers `message` = `welcome_session`
  (`true` on a fresh install) and sets cookies; it and `signout` add `Vary: Cookie` (after `Origin`).
  Without a key and without `password` in the body it crashes (HTML 500). `validateAuthentication` is
  `status:false` even with a key (it checks the session cookie).
- 405 pages carry `Allow` (e.g. `OPTIONS, HEAD, GET`). A path outside `/api` without a key is 401 JSON.
- `addPeers` on a stopped configuration brings it up: the embedded `configuration` then says
  `Status:true` with float `DataUsage`; `toggleWireguardConfiguration` answers `message:null` on success.
- `getNumberOfAvailableIPs` of a /64 is `18446744073709551615` (2^64 − 1 used).
- `wg-quick save` rewrites the `[Interface]` section in its own order (`Address`, `SaveConfig`,
  `PreUp`, `PostUp`, `PreDown`, `PostDown`, `ListenPort`, `PrivateKey`).

## Values that differ on every recording
- Keys: configuration and peer private/public/preshared keys come from `wg genkey` in the oracle's
  namespace (**throwaway**, fine to keep here); API keys made by `newDashboardAPIKey`.
- Times: `CreatedAt` of API keys, job `CreationDate` (UTC) and log `LogDate` (local), backup
  `backupDate`/`filename`, bulk peer names `BulkPeer_<n>_<YYYYmmdd_HHMMSS>`.
- uuid4s: `ShareID`, `LogID`, the `.zip` name of `downloadWireguardConfigurationBackup`.
- The bcrypt `password` hash in `getDashboardConfiguration`; ping/traceroute round-trip times.
- Order: peers in a `.conf` rewritten by `wg-quick save` (raw file, backups) and in
  `downloadAllPeers` follow `wg showconf`, not insertion.
- So the `Content-Length` of those bodies.

Fixed on purpose: the API key in the requests (`WGD_API_KEY` of oracle.sh, a throwaway seeded into a
throwaway database), the job id, addresses (`10.66.7.1/24` for `wg0`, `10.66.10.1/24, fd42:66:10::1/64`
for `wg1`), ports, names. `remote_endpoint` is `172.16.77.1`, the oracle namespace's only address.

Not recorded: `systemStatus` (its body lists the recording machine's processes and command lines),
the `/fileDownload` success (a binary zip), `getDashboardUpdate` online (the oracle has no network:
`getDashboardUpdate-offline-key` is the offline answer).
EOF
} > "$out/README.md"
echo "fixtures: $out"
