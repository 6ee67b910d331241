const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/**
 * A byte count in binary units, as the portal's lists show traffic beside the raw counts: whole
 * bytes below 1 KiB ("512 B"), two decimals from KiB up ("1.21 GiB"). A value that rounds to 1024
 * of one unit is shown as 1.00 of the next ("1.00 MiB", never "1024.00 KiB").
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, Math.trunc(bytes))} B`;
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (unit < UNITS.length - 1 && Number(value.toFixed(2)) >= 1024);
  return `${value.toFixed(2)} ${UNITS[unit]}`;
}
