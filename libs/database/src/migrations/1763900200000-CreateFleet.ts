import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Desired state of the fleet. Secrets (node SSH keys, server and peer private keys, preshared
 * keys, idempotent replays that contain them) are stored AES-256-GCM encrypted (`*_enc`).
 * Every write that changes what a node must hold bumps `server.desired_generation` in the
 * same transaction; the reconciler records `applied_generation`.
 */
export class CreateFleet1763900200000 implements MigrationInterface {
  name = 'CreateFleet1763900200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE node (
        id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name                text NOT NULL CHECK (name ~ '^[A-Za-z0-9_.-]{1,63}$'),
        transport           text NOT NULL CHECK (transport IN ('ssh', 'local')),
        public_ipv4         inet NOT NULL CHECK (family(public_ipv4) = 4),
        public_ipv6         inet CHECK (family(public_ipv6) = 6),
        ssh_host            text,
        ssh_port            integer CHECK (ssh_port BETWEEN 1 AND 65535),
        ssh_username        text,
        ssh_private_key_enc bytea,
        ssh_host_key        text,
        reachable           boolean,
        last_error          text,
        last_contact_at     timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT node_name_key UNIQUE (name),
        CONSTRAINT node_ssh_details CHECK (
          transport = 'local' OR (ssh_host IS NOT NULL AND ssh_port IS NOT NULL AND ssh_username IS NOT NULL
                                  AND ssh_private_key_enc IS NOT NULL AND ssh_host_key IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE server (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        node_id            bigint NOT NULL REFERENCES node (id) ON DELETE RESTRICT,
        name               text NOT NULL,
        location           text NOT NULL DEFAULT '',
        interface          text NOT NULL CHECK (interface ~ '^[a-zA-Z0-9_=+.-]{1,15}$'),
        listen_port        integer NOT NULL CHECK (listen_port BETWEEN 1 AND 65535),
        private_key_enc    bytea NOT NULL,
        public_key         text NOT NULL,
        ipv4_subnet        cidr NOT NULL CHECK (family(ipv4_subnet) = 4),
        ipv6_subnet        cidr CHECK (family(ipv6_subnet) = 6),
        dns                text[] NOT NULL DEFAULT '{}',
        mtu                integer CHECK (mtu BETWEEN 576 AND 65535),
        endpoint_host      text,
        forward_port_min   integer NOT NULL DEFAULT 1 CHECK (forward_port_min BETWEEN 1 AND 65535),
        forward_port_max   integer NOT NULL DEFAULT 65535 CHECK (forward_port_max BETWEEN 1 AND 65535),
        reserved_ports     integer[] NOT NULL DEFAULT '{}',
        desired_generation bigint NOT NULL DEFAULT 1,
        applied_generation bigint NOT NULL DEFAULT 0,
        last_error         text,
        last_applied_at    timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT server_forward_range CHECK (forward_port_min <= forward_port_max),
        CONSTRAINT server_node_interface_key UNIQUE (node_id, interface),
        CONSTRAINT server_node_listen_port_key UNIQUE (node_id, listen_port)
      )`);
    await queryRunner.query(`
      CREATE TABLE assignment (
        id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        server_id            bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        account_id           bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        parent_assignment_id bigint REFERENCES assignment (id) ON DELETE CASCADE,
        max_users            integer CHECK (max_users >= 0),
        max_port_forwards    integer CHECK (max_port_forwards >= 0),
        created_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT assignment_server_account_key UNIQUE (server_id, account_id)
      )`);
    await queryRunner.query(`CREATE INDEX assignment_account_id_idx ON assignment (account_id, id)`);
    await queryRunner.query(`CREATE INDEX assignment_parent_idx ON assignment (parent_assignment_id) WHERE parent_assignment_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE wg_user (
        id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        server_id            bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        assignment_id        bigint NOT NULL REFERENCES assignment (id) ON DELETE CASCADE,
        client_name          text NOT NULL CHECK (client_name ~ '^[A-Za-z0-9_-]{1,50}$'),
        public_key           text NOT NULL,
        private_key_enc      bytea,
        preshared_key_enc    bytea,
        ipv4                 inet NOT NULL CHECK (family(ipv4) = 4),
        ipv6                 inet CHECK (family(ipv6) = 6),
        dns                  text[],
        allowed_ips          text[] NOT NULL,
        persistent_keepalive integer NOT NULL CHECK (persistent_keepalive BETWEEN 0 AND 65535),
        state                text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'error')),
        state_error          text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wg_user_assignment_name_key UNIQUE (assignment_id, client_name),
        CONSTRAINT wg_user_server_ipv4_key UNIQUE (server_id, ipv4),
        CONSTRAINT wg_user_server_ipv6_key UNIQUE (server_id, ipv6),
        CONSTRAINT wg_user_server_public_key_key UNIQUE (server_id, public_key)
      )`);
    await queryRunner.query(`CREATE INDEX wg_user_assignment_id_idx ON wg_user (assignment_id, id)`);
    await queryRunner.query(`
      CREATE TABLE port_forward (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id       bigint NOT NULL REFERENCES wg_user (id) ON DELETE CASCADE,
        assignment_id bigint NOT NULL REFERENCES assignment (id) ON DELETE CASCADE,
        server_id     bigint NOT NULL REFERENCES server (id) ON DELETE CASCADE,
        public_ip     inet NOT NULL,
        external_port integer NOT NULL CHECK (external_port BETWEEN 1 AND 65535),
        internal_port integer NOT NULL CHECK (internal_port BETWEEN 1 AND 65535),
        protocol      text NOT NULL CHECK (protocol IN ('tcp', 'udp', 'both')),
        comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 100),
        state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'error')),
        state_error   text,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX port_forward_user_id_idx ON port_forward (user_id, id)`);
    await queryRunner.query(`CREATE INDEX port_forward_server_id_idx ON port_forward (server_id)`);
    // One row per (address, transport protocol, port) a forward occupies: "both" claims tcp and
    // udp, so the unique key makes tcp/udp collide with both, under any concurrency.
    await queryRunner.query(`
      CREATE TABLE port_claim (
        node_id         bigint NOT NULL REFERENCES node (id) ON DELETE CASCADE,
        public_ip       inet NOT NULL,
        protocol        text NOT NULL CHECK (protocol IN ('tcp', 'udp')),
        port            integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
        port_forward_id bigint NOT NULL REFERENCES port_forward (id) ON DELETE CASCADE,
        CONSTRAINT port_claim_pkey PRIMARY KEY (public_ip, protocol, port)
      )`);
    await queryRunner.query(`CREATE INDEX port_claim_forward_idx ON port_claim (port_forward_id)`);
    await queryRunner.query(`
      CREATE TABLE idempotency_record (
        account_id        bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        key               text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
        request_hash      bytea NOT NULL,
        state             text NOT NULL CHECK (state IN ('in_flight', 'done')),
        response_status   integer,
        response_body_enc bytea,
        created_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_record_pkey PRIMARY KEY (account_id, key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_record_created_at_idx ON idempotency_record (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['idempotency_record', 'port_claim', 'port_forward', 'wg_user', 'assignment', 'server', 'node']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
