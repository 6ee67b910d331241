import { formatPythonFloat } from '../python-json.js';
import { confPathProblem, dnsAddressProblem, endpointAllowedIpProblem, remoteEndpointProblem, wholeNumberProblem } from './setting-checks.js';
import { WGD_VERSION } from './wgd-version.js';

/**
 * Upstream's `wg-dashboard.ini` (notes §1.8.9) as a table: per node, only the values a key holder
 * changed are stored; everything else is the default below. Values are text, as in the ini file,
 * and typed on the way out by upstream's rule (`typedSetting`).
 */

/** What the defaults of a node depend on: its address, this process's own settings, the e-mail environment. */
export interface SettingFacts {
  /** The node's public address (IPv4, else IPv6): upstream's default is its own outbound address. */
  remoteEndpoint: string;
  appIp: string;
  appPort: string;
  appPrefix: string;
  email: EmailSettings;
}

/** The Email section as wgfleet's environment gives it; never a password. */
export interface EmailSettings {
  server: string;
  port: string;
  encryption: string;
  username: string;
  send_from: string;
}

export interface SettingRule {
  default: string | ((facts: SettingFacts) => string);
  /** A value that is a fact of wgfleet: setting it to what it already is succeeds, anything else fails with this message. */
  fixed?: string;
  /** Never changeable here; every update fails with this message. */
  refused?: string;
  /** The update's value must be a string (upstream crashes on anything else). */
  text?: boolean;
  /** Upstream's (or our stricter) check of the stored text: the failure message, or null. */
  check?: (text: string) => string | null;
}

export const HIDDEN_KEYS: ReadonlySet<string> = new Set(['totp_key', 'auth_req']);

const NO_LOGIN = 'wgfleet has no dashboard login: WGDashboard API keys are the only way in, and their holders need no password or TOTP';
const EMAIL_FROM_ENVIRONMENT = 'wgfleet takes its e-mail settings from its environment (SMTP_* variables); they cannot be changed through this API';

const RULES: Record<string, Record<string, SettingRule>> = {
  Account: {
    username: { default: 'admin' },
    // Never a hash: there is no password to expose.
    password: { default: '', refused: `${NO_LOGIN}; there is no password to change` },
    enable_totp: { default: 'false', fixed: `${NO_LOGIN}; TOTP stays off` },
    totp_verified: { default: 'false', fixed: `${NO_LOGIN}; TOTP stays off` },
  },
  Server: {
    wg_conf_path: { default: '/etc/wireguard', text: true, check: confPathProblem },
    awg_conf_path: { default: '/etc/amnezia/amneziawg' },
    app_prefix: { default: (facts) => facts.appPrefix },
    app_ip: { default: (facts) => facts.appIp },
    app_port: { default: (facts) => facts.appPort },
    version: { default: WGD_VERSION, fixed: `wgfleet answers as WGDashboard ${WGD_VERSION}; the version cannot be changed` },
    dashboard_refresh_interval: { default: '60000' },
    dashboard_peer_list_display: { default: 'grid' },
    dashboard_sort: { default: 'status' },
    dashboard_theme: { default: 'dark' },
    dashboard_api_key: { default: 'true', fixed: 'WGDashboard API keys are how wgfleet is reached; dashboard_api_key stays true' },
    dashboard_language: { default: 'en' },
  },
  Peers: {
    peer_global_dns: { default: '1.1.1.1', text: true, check: dnsAddressProblem },
    peer_endpoint_allowed_ip: { default: '0.0.0.0/0', text: true, check: endpointAllowedIpProblem },
    peer_display_mode: { default: 'grid' },
    remote_endpoint: { default: (facts) => facts.remoteEndpoint, text: true, check: remoteEndpointProblem },
    peer_mtu: { default: '1420', check: wholeNumberProblem('peer_mtu', 1460) },
    peer_keep_alive: { default: '21', check: wholeNumberProblem('peer_keep_alive', 65535) },
  },
  Other: { welcome_session: { default: 'true' } },
  Database: { type: { default: 'sqlite' } },
  Email: {
    server: { default: (facts) => facts.email.server, refused: EMAIL_FROM_ENVIRONMENT },
    port: { default: (facts) => facts.email.port, refused: EMAIL_FROM_ENVIRONMENT },
    encryption: { default: (facts) => facts.email.encryption, refused: EMAIL_FROM_ENVIRONMENT },
    username: { default: (facts) => facts.email.username, refused: EMAIL_FROM_ENVIRONMENT },
    // The SMTP password is a secret of the environment: never shown.
    email_password: { default: '', refused: EMAIL_FROM_ENVIRONMENT },
    send_from: { default: (facts) => facts.email.send_from, refused: EMAIL_FROM_ENVIRONMENT },
    email_template: { default: '', refused: EMAIL_FROM_ENVIRONMENT },
  },
  WireGuardConfiguration: { autostart: { default: '' } },
};

/** Section → option (lower-case, as configparser stores it) → rule. Maps, so `__proto__` is just an unknown name. */
export const SETTINGS: ReadonlyMap<string, ReadonlyMap<string, SettingRule>> = new Map(
  Object.entries(RULES).map(([section, keys]) => [section, new Map(Object.entries(keys))]),
);

export function defaultText(rule: SettingRule, facts: SettingFacts): string {
  return typeof rule.default === 'string' ? rule.default : rule.default(facts);
}

/** Whether a stored override can exist for the setting (fixed and refused ones always show their default). */
export function isStorable(rule: SettingRule): boolean {
  return rule.fixed === undefined && rule.refused === undefined;
}

/**
 * Upstream's `GetConfig` typing: `autostart` is a `||`-joined list; `1/yes/true/on` are true and
 * `0/no/false/off` false (exactly these, case-sensitive); any other text stays text.
 */
export function typedSetting(section: string, key: string, text: string): unknown {
  if (section === 'WireGuardConfiguration' && key === 'autostart') return text.split('||').filter((item) => item.length > 0);
  if (TRUE_TEXTS.has(text)) return true;
  if (FALSE_TEXTS.has(text)) return false;
  return text;
}

const TRUE_TEXTS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_TEXTS = new Set(['0', 'no', 'false', 'off']);

/**
 * Upstream's storage of an update's JSON value: text as is, bools as `true`/`false`, numbers as
 * Python's `str()`, a list of strings `||`-joined with `|` stripped from both ends. Null for what
 * upstream cannot store (it crashes on null, objects and lists of non-strings).
 *
 * JSON.parse cannot tell `5.0` from `5`, so a whole float is stored as `5` (upstream: `5.0`).
 */
export function storedText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : formatPythonFloat(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join('||').replace(/^\|+|\|+$/g, '');
  return null;
}

/** `getDashboardConfiguration`'s data: every section and visible option, typed, overrides over defaults. */
export function dashboardConfiguration(overrides: ReadonlyMap<string, string>, facts: SettingFacts): Record<string, Record<string, unknown>> {
  const view: Record<string, Record<string, unknown>> = {};
  for (const [section, rules] of SETTINGS) {
    const options: Record<string, unknown> = {};
    for (const [key, rule] of rules) {
      const stored = isStorable(rule) ? overrides.get(settingId(section, key)) : undefined;
      options[key] = typedSetting(section, key, stored ?? defaultText(rule, facts));
    }
    view[section] = options;
  }
  return view;
}

/** How a stored row is keyed in memory: section and option never contain a newline. */
export function settingId(section: string, key: string): string {
  return `${section}\n${key}`;
}
