import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/**
 * What only WGDashboard keeps about a peer (a `wg_user`): its MTU and remote endpoint, and its DNS
 * and endpoint_allowed_ip exactly as typed, so answers repeat them byte for byte. A portal user
 * has no row here: its values come from the user and its server.
 */
@Entity('wgd_peer')
export class WgdPeerEntity {
  @PrimaryColumn('bigint', { transformer: bigintId })
  userId: number;

  @Column('text')
  dns: string;

  @Column('text')
  endpointAllowedIp: string;

  @Column('integer')
  mtu: number;

  @Column('text')
  remoteEndpoint: string;
}
