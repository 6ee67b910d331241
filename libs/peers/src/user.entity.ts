import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId, numericNumber } from '@wgfleet/database';

export type ProvisioningState = 'pending' | 'active' | 'error';
export type DataLimitPeriod = 'total' | 'monthly';
export type DataLimitAction = 'block' | 'throttle';
/** What the enforcer decided: a blocked user's peer is off its node, a throttled one is shaped to the throttle rate. */
export type AccessState = 'allowed' | 'blocked' | 'throttled';
export type AccessReason = 'disabled' | 'expired' | 'data_limit_reached';

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

  /** False: switched off by its owner (access `blocked`, reason `disabled`). */
  @Column('boolean', { default: true })
  enabled: boolean;

  /** From this moment the user is blocked (reason `expired`); null: no end date. */
  @Column('timestamptz', { nullable: true })
  expiresAt: Date | null;

  /** node → client limit in Mbit/s (0.1–10000, three decimals); null: unlimited. */
  @Column('numeric', { precision: 8, scale: 3, nullable: true, transformer: numericNumber })
  downloadMbps: number | null;

  /** client → node limit in Mbit/s; null: unlimited. */
  @Column('numeric', { precision: 8, scale: 3, nullable: true, transformer: numericNumber })
  uploadMbps: number | null;

  /** The data limit: all five columns set, or all null (no limit). */
  @Column('bigint', { nullable: true, transformer: bigintId })
  dataLimitBytes: number | null;

  @Column('text', { nullable: true })
  dataLimitPeriod: DataLimitPeriod | null;

  /** Day of the month (1–28, UTC) a monthly period starts; null for `total`. */
  @Column('smallint', { nullable: true })
  dataLimitResetDay: number | null;

  @Column('text', { nullable: true })
  dataLimitAction: DataLimitAction | null;

  /** The rate both ways once a `throttle` limit is reached; null for `block`. */
  @Column('numeric', { precision: 8, scale: 3, nullable: true, transformer: numericNumber })
  dataLimitThrottleMbps: number | null;

  @Column('text', { default: 'allowed' })
  accessState: AccessState;

  /** Null exactly when access is `allowed`. */
  @Column('text', { nullable: true })
  accessReason: AccessReason | null;

  @Column('text')
  state: ProvisioningState;

  @Column('text', { nullable: true })
  stateError: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
