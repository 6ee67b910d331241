import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** `docker compose` (v2 plugin) where present, else Debian's `docker-compose` (v1). */
function composeCommand(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  throw new Error('neither "docker compose" nor "docker-compose" is installed (scripts/install-test-prerequisites.sh installs it)');
}

describe('docker-compose.yml', () => {
  it('passes `compose config` and runs the API with PostgreSQL, Redis and a migration step', () => {
    const [command, ...args] = composeCommand();
    const rendered = execFileSync(command, [...args, 'config', '--services'], { cwd: ROOT, encoding: 'utf8' });
    expect(rendered.trim().split('\n').sort()).toEqual(['api', 'migrate', 'postgres', 'redis']);

    const full = execFileSync(command, [...args, 'config'], { cwd: ROOT, encoding: 'utf8' });
    expect(full).toContain('DATABASE_URL: postgres://wgfleet:wgfleet@postgres:5432/wgfleet');
    expect(full).toContain('REDIS_URL: redis://redis:6379');
    expect(full).toMatch(/condition: service_completed_successfully/);
  });
});
