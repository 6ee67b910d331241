import { dnsForwarderPaths, NODE_RUNTIME_DIRECTORY } from '@wgfleet/wireguard';

// The parts of the node scripts that keep per-interface runtime state under NODE_RUNTIME_DIRECTORY
// (a tmpfs: gone with a reboot, like the qdiscs and processes it describes): bandwidth shaping and the
// DNS-over-TLS resolver. POSIX sh lines, spliced into APPLY_SCRIPT / REMOVE_SCRIPT; they expect `$IF`,
// `$t` (private temp dir) and `fail`. Only constants and `$IF` (checked) ever form a path.

const RUN = NODE_RUNTIME_DIRECTORY;
/** The resolver's file names with `$IF` in place of the name, from the one function that names them. */
const RESOLVER = (() => {
  const probe = 'wgfleetprobe';
  const { configFile, pidFile } = dnsForwarderPaths(RUN, probe);
  const shell = (path: string) => {
    if (!path.startsWith(`${RUN}/`) || path.split(probe).length !== 2) throw new Error(`runtime-script: unexpected path ${path}`);
    return path.replace(probe, '$IF');
  };
  return { config: shell(configFile), pid: shell(pidFile), log: shell(configFile).replace(/\.conf$/, '.log') };
})();

/** Shared definitions: paths, the tc state view, and finding / stopping our own unbound. */
export const RUNTIME_FUNCTIONS = [
  `R=${RUN}`,
  `uconf="${RESOLVER.config}"`,
  `upid="${RESOLVER.pid}"`,
  `ulog="${RESOLVER.log}"`,
  'tcbatch="$R/tc-$IF.batch"',
  'tcseen="$R/tc-$IF.state"',
  // What tc shows of the shaping (no -s: no byte counters); HTB's direct_packets_stat is a counter even so.
  'tc_state() {',
  '  for d in "$IF" "$1"; do',
  '    ip link show dev "$d" >/dev/null 2>&1 || continue',
  '    echo "@@ $d"; tc qdisc show dev "$d"; tc class show dev "$d"; tc filter show dev "$d"',
  '  done',
  '  echo "@@ $IF ingress"; tc filter show dev "$IF" ingress 2>/dev/null || true',
  '}',
  // The pid in our pid file, only if that process is unbound running our config file for $IF: a pid
  // file left by a dead resolver may name some other process by now, which we must never signal.
  'our_unbound() {',
  '  [ -f "$upid" ] || return 1',
  '  p=$(head -c 16 "$upid" | tr -dc 0-9)',
  '  case $p in ""|0*) return 1 ;; esac',
  '  tr "\\0" "\\n" <"/proc/$p/cmdline" 2>/dev/null | sed "1s|^.*/||" >"$t/cmdline" || return 1',
  '  printf "unbound\\n-c\\n%s\\n" "$uconf" | cmp -s - "$t/cmdline" || return 1',
  '  echo "$p"',
  '}',
  // TERM, then KILL after ~5 s; a zombie has an empty cmdline, so it counts as gone.
  'stop_unbound() {',
  '  if p=$(our_unbound); then',
  '    kill -TERM "$p" 2>/dev/null || true',
  '    i=0; while [ "$i" -lt 100 ] && our_unbound >/dev/null; do sleep 0.05; i=$((i + 1)); done',
  '    if p=$(our_unbound); then kill -KILL "$p" 2>/dev/null || true; fi',
  '  fi',
  '}',
];

/**
 * Shaping: the ifb exists and is up; the batch (which rebuilds everything from nothing) runs only when
 * it differs from the last one applied or when tc no longer shows what it showed right after that
 * apply (a qdisc removed by hand, an interface recreated). Otherwise a periodic apply would reset
 * every queue and class on the node each time.
 */
export const SHAPING_APPLY = [
  'ifb=$(cat "$t/ifb")',
  'case $ifb in ifb-?*|ifb=?*) ;; *) fail "bad ifb name" ;; esac',
  'case $ifb in *[!A-Za-z0-9_=.-]*) fail "bad ifb name" ;; esac',
  'if ! ip link show dev "$ifb" >/dev/null 2>&1; then',
  '  ip link add name "$ifb" type ifb 2>"$t/ifb-err" || fail "cannot create the shaping device $ifb (kernel module ifb): $(head -n 1 "$t/ifb-err")"',
  'fi',
  'ip link set dev "$ifb" up',
  'mkdir -p "$R"',
  // tc is looked at only when the batch is unchanged: a changed one is rebuilt anyway.
  'if ! cmp -s "$t/tc" "$tcbatch" || ! { tc_state "$ifb" >"$t/tc-seen" && cmp -s "$t/tc-seen" "$tcseen"; }; then',
  // A failed batch must not look applied: the next apply runs it again.
  '  rm -f "$tcbatch" "$tcseen"',
  // tc names the failing line last ("Command failed FILE:N"); the kernel's reason comes first.
  '  tc -batch "$t/tc" 2>"$t/tc-err" || fail "tc -batch failed: $(grep -v \'^Command failed\' "$t/tc-err" | head -n 1)"',
  '  tc_state "$ifb" >"$t/tc-seen"',
  '  cp "$t/tc-seen" "$tcseen.tmp" && mv -f "$tcseen.tmp" "$tcseen"',
  '  cp "$t/tc" "$tcbatch.tmp" && mv -f "$tcbatch.tmp" "$tcbatch"',
  'fi',
];

/**
 * Before the node is touched: a resolver config needs unbound on the node, and unbound-checkconf must
 * take it, or the apply fails here with a message that says so, having changed nothing.
 */
export const RESOLVER_CHECK = [
  'if [ -e "$t/dns" ]; then',
  '  ub=$(command -v unbound) || fail "unbound is not installed on the node"',
  '  command -v unbound-checkconf >/dev/null || fail "unbound-checkconf is not installed on the node"',
  '  mkdir -p "$R"',
  '  unbound-checkconf "$t/dns" >"$t/checkconf" 2>&1 || fail "unbound-checkconf refused the resolver config: $(tail -n 1 "$t/checkconf")"',
  'fi',
];

/**
 * The resolver: a config (the `dns` section, RESOLVER_CHECK passed) → installed, unbound started as a
 * daemon if ours is not running, restarted when the config changed (SIGHUP does not rebind changed
 * listen addresses: verified with unbound 1.17), left alone when unchanged and running. No `dns`
 * section → ours stopped and its files removed.
 */
export const RESOLVER_APPLY = [
  'if [ -e "$t/dns" ]; then',
  '  if ! cmp -s "$t/dns" "$uconf" || ! our_unbound >/dev/null; then',
  '    stop_unbound',
  '    cp "$t/dns" "$uconf.tmp" && mv -f "$uconf.tmp" "$uconf"',
  '    rm -f "$upid"',
  // Daemonizes once its sockets are bound; nothing of ours stays open in it.
  '    "$ub" -c "$uconf" </dev/null >"$ulog" 2>&1 || fail "unbound did not start: $(tail -n 1 "$ulog")"',
  '    i=0; while [ "$i" -lt 100 ] && ! our_unbound >/dev/null; do sleep 0.05; i=$((i + 1)); done',
  '    our_unbound >/dev/null || fail "unbound did not start: $(tail -n 1 "$ulog")"',
  '  fi',
  'else',
  '  stop_unbound',
  '  rm -f "$uconf" "$upid" "$ulog"',
  'fi',
];

/** Everything of the interface's runtime state: the resolver, the shaping (qdiscs go with the interface), the ifb, the state files. */
export const RUNTIME_REMOVE = [
  'stop_unbound',
  'rm -f "$uconf" "$upid" "$ulog" "$tcbatch" "$tcseen"',
  'if [ -e "$t/ifb" ]; then',
  '  ifb=$(cat "$t/ifb")',
  '  case $ifb in ifb-?*|ifb=?*) ;; *) fail "bad ifb name" ;; esac',
  '  case $ifb in *[!A-Za-z0-9_=.-]*) fail "bad ifb name" ;; esac',
  '  ip link del dev "$ifb" 2>/dev/null || true',
  '  if ip link show dev "$ifb" >/dev/null 2>&1; then fail "$ifb is still present after removal"; fi',
  'fi',
  'if our_unbound >/dev/null; then fail "the resolver of $IF is still running after removal"; fi',
];
