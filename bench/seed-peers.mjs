// Puts N users on a server straight into Postgres, in one statement. Through the API, 10,000 creates on
// one server take minutes here (creates on a server are serialised, and each reads every address in
// use to pick the next), which would spend the bench's time budget on seeding. The rows are the ones
// the API writes for `POST …/users {client_name, public_key}`: no private key kept, a preshared key
// sealed with the API's master key, the next free addresses, state `pending`. The reconciler then
// pushes them like any other users: if a row were not what it expects, the push would fail loudly.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const require = createRequire(import.meta.url);

// What PeersService seals a preshared key under (libs/peers/src/peers.service.ts, presharedKeyContext).
const presharedKeyContext = (serverId, publicKey) => `wg_user.preshared_key:${serverId}:${publicKey}`;

/** The `count` hosts of an IPv4 /prefix after the network address and the server's own first host. */
function hosts(subnet, count) {
  const [base, prefix] = subnet.split('/');
  const start = base.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  if (count + 2 >= 2 ** (32 - Number(prefix))) throw new Error(`seed: ${subnet} cannot hold ${count} users`);
  return Array.from({ length: count }, (_, i) => {
    const n = start + 2 + i;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  });
}

/** Inserts `count` users on the server and bumps its desired generation; returns the bumped generation. */
export async function seedUsers({ databaseUrl, masterKey, serverId, assignmentId, subnet, count }) {
  const { SecretBox } = require(join(dist, 'libs/core/src/index.js'));
  const box = new SecretBox(Buffer.from(masterKey, 'base64'));
  const keys = Array.from({ length: count }, () => randomBytes(32).toString('base64'));
  const psks = keys.map((publicKey) => box.seal(randomBytes(32).toString('base64'), presharedKeyContext(serverId, publicKey)));
  const names = keys.map((_, i) => `seed-${String(i).padStart(6, '0')}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, preshared_key_enc, ipv4, allowed_ips, persistent_keepalive, state)
       SELECT $1, $2, name, key, psk, ip::inet, '{0.0.0.0/0,::/0}', 25, 'pending'
         FROM unnest($3::text[], $4::text[], $5::bytea[], $6::text[]) AS t(name, key, psk, ip)`,
      [serverId, assignmentId, names, keys, psks, hosts(subnet, count)],
    );
    const { rows } = await client.query('UPDATE server SET desired_generation = desired_generation + 1 WHERE id = $1 RETURNING desired_generation', [serverId]);
    await client.query('COMMIT');
    return Number(rows[0].desired_generation);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
