import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

export type ProvisioningState = 'pending' | 'active' | 'error';

/** A WireGuard peer on a server (the portal's "user"): desired state only, never node telemetry. */
@Entity('wg_user')
export class UserEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  serverId: number;

  /** Null for an operator's peer (made through the WGDashboard API): no tenant owns it. */
  @Column('bigint', { transformer: bigintId, nullable: true })
  assignmentId: number | null;

  /** A tenant's users follow the portal's slug rule; an operator's peers are named freely. */
  @Column('text')
  clientName: string;

  @Column('text')
  publicKey: string;

  /** Sealed with SecretBox, context `wg_user.private_key:<server_id>:<public_key>`; null when the client brought its own key. */
  @Column('bytea', { nullable: true, select: false })
  privateKeyEnc: Buffer | null;

  /** Sealed with SecretBox, context `wg_user.preshared_key:<server_id>:<public_key>`. */
  @Column('bytea', { nullable: true, select: false })
  presharedKeyEnc: Buffer | null;

  @Column('inet')
  ipv4: string;

  @Column('inet', { nullable: true })
  ipv6: string | null;

  /** The client's DNS; the server's when null. */
  @Column('text', { array: true, nullable: true })
  dns: string[] | null;

  @Column('text', { array: true })
  allowedIps: string[];

  @Column('integer')
  persistentKeepalive: number;

  /** Networks routed to the peer beyond its own /32 and /128 (on the server side). */
  @Column('cidr', { array: true, default: () => "'{}'" })
  routedIps: string[];

  /** Set while the peer is kept off its node; its keys and addresses stay here for when it is allowed again. */
  @Column('timestamptz', { nullable: true })
  restrictedAt: Date | null;

  @Column('text')
  state: ProvisioningState;

  @Column('text', { nullable: true })
  stateError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
