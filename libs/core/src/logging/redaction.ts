/**
 * Secrets that must never reach a log line, wherever they appear in a logged object: credentials
 * in request headers, and private or preshared WireGuard keys and SSH keys in any payload.
 */
const SECRET_FIELDS = [
  'privateKey',
  'private_key',
  'presharedKey',
  'preshared_key',
  'client_private_key',
  'apiKey',
  'api_key',
  'key',
  'password',
  'secret',
  // The SMTP account of the WGDashboard e-mail: the variable, and nodemailer's `auth.pass`.
  'SMTP_PASSWORD',
  'pass',
];

export const REDACTED_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers["wg-dashboard-apikey"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["wg-dashboard-apikey"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  ...SECRET_FIELDS.map((field) => `*.*.${field}`),
];
