import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

export type DnsMode = 'plain' | 'tls';
/** As stored and as the API shows it: `port` is always set (853 by default). */
export interface DnsTlsResolver {
  address: string;
  tls_name: string;
  port: number;
}

/** One WireGuard interface on a node: the desired state, plus what the reconciler applied. */
@Entity('server')
export class ServerEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  nodeId: number;

  @Column('text')
  name: string;

  @Column('text')
  location: string;

  @Column('text')
  interface: string;

  @Column('integer')
  listenPort: number;

  /** Sealed with SecretBox, context `server.private_key:<public_key>`. */
  @Column('bytea', { select: false })
  privateKeyEnc: Buffer;

  @Column('text')
  publicKey: string;

  @Column('cidr')
  ipv4Subnet: string;

  @Column('cidr', { nullable: true })
  ipv6Subnet: string | null;

  @Column('text', { array: true })
  dns: string[];

  @Column('integer', { nullable: true })
  mtu: number | null;

  /** `tls`: the node runs a caching resolver on the tunnel addresses forwarding only over TLS, and clients use it. */
  @Column('text', { default: 'plain' })
  dnsMode: DnsMode;

  /** The DNS-over-TLS resolvers when `dnsMode` is `tls` (1 to 4), else null. */
  @Column('jsonb', { nullable: true })
  dnsTlsResolvers: DnsTlsResolver[] | null;

  /** Host clients dial; the node's public IPv4 when null. */
  @Column('text', { nullable: true })
  endpointHost: string | null;

  @Column('integer')
  forwardPortMin: number;

  @Column('integer')
  forwardPortMax: number;

  @Column('integer', { array: true })
  reservedPorts: number[];

  /** False: the interface is kept off its node (WGDashboard's toggle); everything else stays here. */
  @Column('boolean', { default: true })
  enabled: boolean;

  @Column('bigint', { transformer: bigintId })
  desiredGeneration: number;

  @Column('bigint', { transformer: bigintId })
  appliedGeneration: number;

  @Column('text', { nullable: true })
  lastError: string | null;

  @Column('timestamptz', { nullable: true })
  lastAppliedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
