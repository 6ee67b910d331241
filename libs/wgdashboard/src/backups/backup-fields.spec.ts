import { backupFieldsGiven } from './backup-fields.js';

describe('backupFieldsGiven', () => {
  it('takes a configuration name and a non-empty backup name', () => {
    expect(backupFieldsGiven({ ConfigurationName: 'wg0', BackupFileName: 'wg0_20261123224021.conf' })).toBe(true);
    // Upstream looks a list up in its backup names (not found) rather than failing the check.
    expect(backupFieldsGiven({ ConfigurationName: 'wg0', BackupFileName: ['x'] })).toBe(true);
  });

  it.each([
    [{}],
    [{ ConfigurationName: 'wg0' }],
    [{ BackupFileName: 'x.conf' }],
    [{ ConfigurationName: '', BackupFileName: 'x.conf' }],
    [{ ConfigurationName: 'wg0', BackupFileName: '' }],
    [{ ConfigurationName: 'wg0', BackupFileName: [] }],
    [{ ConfigurationName: 'wg0', BackupFileName: 7 }],
    [{ ConfigurationName: 'wg0', BackupFileName: null }],
    [{ ConfigurationName: 7, BackupFileName: 'x.conf' }],
    [{ ConfigurationName: ['wg0'], BackupFileName: 'x.conf' }],
  ])('refuses %j', (fields) => {
    expect(backupFieldsGiven(fields)).toBe(false);
  });
});
