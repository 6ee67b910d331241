import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintId } from '@wgfleet/database';

/** A configuration backup of a node (upstream's `<Name>_<time>.conf` + `.sql` pair), its contents sealed. */
@Entity('wgd_backup')
export class WgdBackupEntity {
  @PrimaryColumn('bigint', { generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintId })
  id: number;

  @Column('bigint', { transformer: bigintId })
  nodeId: number;

  @Column('text')
  configurationName: string;

  /** `<Name>_<YYYYmmddHHMMSS>.conf`: only ever compared with what a request sends, never a path. */
  @Column('text')
  fileName: string;

  @Column('timestamptz')
  createdAt: Date;

  /** A sealed `BackupSnapshot` (JSON): the server's and the peers' keys are inside. */
  @Column('bytea')
  snapshot: Buffer;
}

/** A zip handed out by downloadWireguardConfigurationBackup, fetched once through `/fileDownload`. */
@Entity('wgd_backup_download')
export class WgdBackupDownloadEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('bigint', { transformer: bigintId })
  backupId: number;

  @Column('timestamptz')
  createdAt: Date;
}
