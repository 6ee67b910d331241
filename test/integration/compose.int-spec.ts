import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const HAPROXY_CFG = join(ROOT, 'deploy/haproxy.cfg');

/** `docker compose` (v2 plugin) where present, else Debian's `docker-compose` (v1). */
function composeCommand(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  throw new Error('neither "docker compose" nor "docker-compose" is installed (scripts/install-test-prerequisites.sh installs it)');
}

/** The environment of the test run without the variables the compose file reads, plus `extra`. */
function composeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['MASTER_KEY', 'POSTGRES_PASSWORD'] as const) if (!(name in extra)) delete env[name];
  return env;
}

function compose(args: string[], env: NodeJS.ProcessEnv) {
  const [command, ...prefix] = composeCommand();
  return spawnSync(command!, [...prefix, ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

/**
 * One service's lines of the rendered `compose config` (v1 and v2 both print `services:` with each
 * service at two spaces of indent and its settings deeper), so an assertion cannot match a line
 * that belongs to another service.
 */
function serviceBlock(rendered: string, name: string): string {
  const lines = rendered.split('\n');
  const start = lines.indexOf(`  ${name}:`);
  if (start === -1) throw new Error(`no service "${name}" in:\n${rendered}`);
  const end = lines.findIndex((line, index) => index > start && /^ {0,2}\S/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** v1 prints `127.0.0.1:8080:8080/tcp`; v2 the long form with host_ip and published. */
function publishesOnLoopback8080(block: string): boolean {
  return block.includes('127.0.0.1:8080:8080') || (block.includes('host_ip: 127.0.0.1') && /published: "?8080"?/.test(block));
}

describe('docker-compose.yml', () => {
  const masterKey = randomBytes(32).toString('base64');
  let rendered: string;

  beforeAll(() => {
    const result = compose(['config'], composeEnv({ MASTER_KEY: masterKey }));
    if (result.status !== 0) throw new Error(`compose config failed (${result.status}):\n${result.stderr}`);
    rendered = result.stdout;
  });

  it('refuses to render without MASTER_KEY, saying how to make one', () => {
    const result = compose(['config'], composeEnv());
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set MASTER_KEY to 32 random bytes in base64 (openssl rand -base64 32)');
  });

  it('has two API replicas, a load balancer, PostgreSQL, Redis and a migration step', () => {
    const result = compose(['config', '--services'], composeEnv({ MASTER_KEY: masterKey }));
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(['api-1', 'api-2', 'lb', 'migrate', 'postgres', 'redis']);
  });

  it.each(['api-1', 'api-2'])('gives %s the shared MASTER_KEY, Postgres and Redis, after the migration and a healthy Redis', (name) => {
    const block = serviceBlock(rendered, name);
    expect(block).toContain(`MASTER_KEY: ${masterKey}`);
    expect(block).toContain('DATABASE_URL: postgres://wgfleet:wgfleet@postgres:5432/wgfleet');
    expect(block).toContain('REDIS_URL: redis://redis:6379');
    expect(block).toContain('HOST: 0.0.0.0');
    expect(block).toMatch(/migrate:\n\s+condition: service_completed_successfully/);
    expect(block).toMatch(/redis:\n\s+condition: service_healthy/);
    expect(block).toContain("fetch('http://127.0.0.1:8080/ready')");
    expect(block).toContain('image: wgfleet:local');
    // Users reach the replicas through the balancer only.
    expect(publishesOnLoopback8080(block)).toBe(false);
  });

  it('migrates once PostgreSQL is healthy, from the image the replicas run, without the master key', () => {
    const block = serviceBlock(rendered, 'migrate');
    expect(block).toContain('dist/apps/api/src/cli.js');
    expect(block).toMatch(/- migrate\n/);
    expect(block).toMatch(/postgres:\n\s+condition: service_healthy/);
    expect(block).toContain('image: wgfleet:local');
    expect(block).toContain('build:');
    expect(block).not.toContain('MASTER_KEY');
  });

  it('publishes one port, the balancer, once both replicas are healthy', () => {
    const block = serviceBlock(rendered, 'lb');
    expect(publishesOnLoopback8080(block)).toBe(true);
    expect(block).toMatch(/api-1:\n\s+condition: service_healthy/);
    expect(block).toMatch(/api-2:\n\s+condition: service_healthy/);
    expect(block).toContain(HAPROXY_CFG);
    expect(block).toContain('/usr/local/etc/haproxy/haproxy.cfg');
    expect(block).toMatch(/image: haproxy:/);
    expect(rendered.match(/127\.0\.0\.1:8080:8080|host_ip: 127\.0\.0\.1/g)).toHaveLength(1);
  });

  it('balances round robin over api-1 and api-2 by their /ready, in a configuration HAProxy accepts', () => {
    const config = readFileSync(HAPROXY_CFG, 'utf8');
    expect(config).toMatch(/^\s+balance roundrobin$/m);
    expect(config).toMatch(/^\s+http-check send meth GET uri \/ready$/m);
    expect(config).toMatch(/^\s+server api-1 api-1:8080$/m);
    expect(config).toMatch(/^\s+server api-2 api-2:8080$/m);
    expect(config).toMatch(/^\s+bind :8080$/m);
    // HAProxy's own check of the file (the replicas' names resolve only inside Compose: warnings).
    const checked = execFileSync('haproxy', ['-c', '-f', HAPROXY_CFG], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(checked).toContain('Configuration file is valid');
  });
});
