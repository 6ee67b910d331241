import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

export type NodeTransport = 'ssh' | 'local';

/** A WireGuard host, reached over SSH (host key pinned) or as this machine (`local`). */
@Entity('node')
export class NodeEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('text')
  name: string;

  @Column('text')
  transport: NodeTransport;

  @Column('inet')
  publicIpv4: string;

  @Column('inet', { nullable: true })
  publicIpv6: string | null;

  @Column('text', { nullable: true })
  sshHost: string | null;

  @Column('integer', { nullable: true })
  sshPort: number | null;

  @Column('text', { nullable: true })
  sshUsername: string | null;

  /** Sealed with SecretBox, context `node.ssh_private_key:<name>`. */
  @Column('bytea', { nullable: true, select: false })
  sshPrivateKeyEnc: Buffer | null;

  /** The pinned public host key line, e.g. `ssh-ed25519 AAAA…`. */
  @Column('text', { nullable: true })
  sshHostKey: string | null;

  @Column('boolean', { nullable: true })
  reachable: boolean | null;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  lastContactAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
