#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real: userspace WireGuard and its tools,
# iptables and iproute2 for the network-namespace lab, OpenSSH's server for the nodes, Redis for
# the shared rate limiter, docker-compose to check docker-compose.yml, iperf3 to measure shaping,
# unbound for the nodes' DNS-over-TLS resolvers. Needs root (the lab does too).
set -euo pipefail

# The list lives in test-packages.txt, one per line (.ci/run installs through this script too).
mapfile -t packages < "$(dirname "$0")/test-packages.txt"

if [ "$(id -u)" -ne 0 ]; then
  echo "run the tests as root: the lab creates network namespaces and starts sshd and wireguard-go" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

installing_unbound=no
for package in "${missing[@]}"; do [ "$package" = unbound ] && installing_unbound=yes; done

# Debian's unbound enables unbound.service, which on a machine booted with systemd starts at once and
# at every boot on 127.0.0.1:53 and, when resolvconf is installed, makes itself the machine's
# nameserver (unbound-resolvconf.service). The tests start private unbounds inside their namespaces
# only, so the machine's own DNS must stay as it is: before installing, tell the package's helper not
# to register with resolvconf (unless an admin already wrote /etc/default/unbound), and afterwards
# disable and stop the service the package enabled. Nothing is changed for an unbound installed earlier.
if [ "$installing_unbound" = yes ] && [ ! -e /etc/default/unbound ]; then
  printf '# wgfleet tests: never register this unbound as the machine nameserver\nRESOLVCONF=false\n' > /etc/default/unbound
fi

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Debian's iperf3 asks whether to run a server as a daemon; the shaping lab starts its own, one-off,
  # inside a namespace, so the answer is no (also the default, kept whatever this machine's debconf says).
  echo 'iperf3 iperf3/start_daemon boolean false' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$installing_unbound" = yes ]; then
  if ! command -v systemctl >/dev/null; then
    # sysvinit: stop what the package may have started, and keep it from starting at boot.
    invoke-rc.d unbound stop || true
    update-rc.d unbound disable
  elif [ -d /run/systemd/system ]; then
    systemctl disable --now unbound.service unbound-resolvconf.service
  else
    # Not booted with systemd (a container): nothing was started; just drop the boot-time links.
    systemctl disable unbound.service unbound-resolvconf.service
  fi
fi

# The Debian packages start their own redis-server and sshd; the tests start private ones on
# ports and addresses of their own, so those services are left as they are. An iperf3 service is
# never wanted: if an earlier install enabled one, it is stopped and disabled (the lab's own run in
# namespaces, by pid).
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet iperf3 2>/dev/null; then
  systemctl disable --now iperf3 || true
fi
echo "test prerequisites: ok (${packages[*]})"
