/**
 * `Content-Disposition` for a user's wg-quick file: `attachment; filename="<client_name>.conf"`.
 * A tenant's client_name is already `^[A-Za-z0-9_-]{1,50}$`; anything else (an older or an
 * operator's name) is reduced to that alphabet all the same, so no quote, semicolon, slash or
 * line break can ever reach the header or the file system of whoever saves it.
 */
export function confAttachment(clientName: string): string {
  const safe = clientName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 50);
  return `attachment; filename="${safe === '' ? 'wireguard' : safe}.conf"`;
}
