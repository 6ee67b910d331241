#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real: userspace WireGuard and its tools,
# iptables and iproute2 for the network-namespace lab, OpenSSH's server for the nodes, Redis for
# the shared rate limiter, docker-compose to check docker-compose.yml. Needs root (the lab does too).
set -euo pipefail

# The list lives in test-packages.txt, one per line, so .ci/run installs exactly the same set.
mapfile -t packages < "$(dirname "$0")/test-packages.txt"

if [ "$(id -u)" -ne 0 ]; then
  echo "run the tests as root: the lab creates network namespaces and starts sshd and wireguard-go" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Debian packages start their own redis-server and sshd; the tests start private ones on
# ports and addresses of their own, so those services are left as they are.
echo "test prerequisites: ok (${packages[*]})"
