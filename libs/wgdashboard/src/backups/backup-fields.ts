/**
 * Upstream's body check of deleteWireguardConfigurationBackup / restoreWireguardConfigurationBackup:
 * both keys present with `len(...) > 0`. A value without a length (a number, null) crashes upstream
 * (HTML 500); here it fails the same check (HTTP 400, our decision 5). A configuration name that is
 * not a string cannot name one, so it fails the check too (upstream: unhashable, a 500).
 */
export function backupFieldsGiven(fields: Record<string, unknown>): boolean {
  return typeof fields.ConfigurationName === 'string' && fields.ConfigurationName.length > 0 && hasPythonLength(fields.BackupFileName);
}

function hasPythonLength(value: unknown): boolean {
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length > 0;
  return false;
}
