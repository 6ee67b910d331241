import type { SecretBox } from '@wgfleet/core';
import type { BackupSnapshot } from './backup-snapshot.js';
import type { WgdBackupEntity } from './wgd-backup.entity.js';

type SnapshotPlace = Pick<WgdBackupEntity, 'nodeId' | 'configurationName'>;

/** Sealed for its node and configuration name: a snapshot copied into another node's or configuration's row does not open. */
const snapshotContext = (place: SnapshotPlace) => `wgd_backup.snapshot:${place.nodeId}:${place.configurationName}`;

export function sealSnapshot(box: SecretBox, place: SnapshotPlace, snapshot: BackupSnapshot): Buffer {
  return box.seal(JSON.stringify(snapshot), snapshotContext(place));
}

export function openSnapshot(box: SecretBox, row: SnapshotPlace & Pick<WgdBackupEntity, 'snapshot'>): BackupSnapshot {
  return JSON.parse(box.open(row.snapshot, snapshotContext(row))) as BackupSnapshot;
}
