import { normalizeClientConfig, PRIVATE_KEY_PLACEHOLDER, type ClientConfig } from './client-config.js';
import { WireguardInputError } from './errors.js';

type SectionName = 'Interface' | 'Peer';

interface KeySpec {
  name: string;
  section: SectionName;
  list: boolean;
}

// Only what ClientConfig can hold. PostUp and friends are refused on purpose: wg-quick runs them as root.
const KEYS = new Map<string, KeySpec>(
  [
    { name: 'PrivateKey', section: 'Interface', list: false },
    { name: 'Address', section: 'Interface', list: true },
    { name: 'DNS', section: 'Interface', list: true },
    { name: 'MTU', section: 'Interface', list: false },
    { name: 'PublicKey', section: 'Peer', list: false },
    { name: 'PresharedKey', section: 'Peer', list: false },
    { name: 'Endpoint', section: 'Peer', list: false },
    { name: 'AllowedIPs', section: 'Peer', list: true },
    { name: 'PersistentKeepalive', section: 'Peer', list: false },
  ].map((spec) => [spec.name.toLowerCase(), spec as KeySpec]),
);

type Values = Map<string, string[]>;

/**
 * Reads a wg-quick client config with one [Interface] and one [Peer]. Keys and section names are
 * case-insensitive; `#` comments, blank lines and repeated list keys are accepted. Error messages name
 * the line and key but never quote a value (it may be a private key).
 */
export function parseClientConfig(text: string): ClientConfig {
  if (typeof text !== 'string') throw new WireguardInputError('text', 'text must be a string');
  const sections = readSections(text);
  const iface = sections.get('Interface');
  const peer = sections.get('Peer');
  if (iface === undefined) throw parseError('the config has no [Interface] section');
  if (peer === undefined) throw parseError('the config has no [Peer] section');
  const privateKey = required(iface, 'PrivateKey')[0];
  return normalizeClientConfig({
    privateKey: privateKey === PRIVATE_KEY_PLACEHOLDER ? null : privateKey,
    addresses: required(iface, 'Address'),
    dns: iface.get('DNS') ?? [],
    mtu: optionalInteger(iface, 'MTU', { offMeansNull: false }),
    peer: {
      publicKey: required(peer, 'PublicKey')[0],
      presharedKey: peer.get('PresharedKey')?.[0] ?? null,
      endpoint: required(peer, 'Endpoint')[0],
      allowedIps: required(peer, 'AllowedIPs'),
      persistentKeepalive: optionalInteger(peer, 'PersistentKeepalive', { offMeansNull: true }),
    },
  });
}

function readSections(text: string): Map<SectionName, Values> {
  const sections = new Map<SectionName, Values>();
  let current: { name: SectionName; values: Values } | null = null;
  text.split(/\r?\n/).forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = stripComment(rawLine).trim();
    if (line === '') return;
    if (line.startsWith('[')) {
      current = openSection(line, lineNumber, sections);
      return;
    }
    const equals = line.indexOf('=');
    if (equals < 0) throw parseError(`line ${lineNumber}: expected "Key = value" or a [Section] header`);
    const spec = KEYS.get(line.slice(0, equals).trim().toLowerCase());
    if (current === null) throw parseError(`line ${lineNumber}: a setting before any section; start with [Interface]`);
    if (spec === undefined || spec.section !== current.name) throw unknownKey(line.slice(0, equals).trim(), current.name, lineNumber);
    const value = line.slice(equals + 1).trim();
    const previous = current.values.get(spec.name);
    if (!spec.list && previous !== undefined) throw parseError(`line ${lineNumber}: ${spec.name} is set twice in [${current.name}]`);
    const items = spec.list ? splitList(value, spec.name, lineNumber) : [value];
    current.values.set(spec.name, [...(previous ?? []), ...items]);
  });
  return sections;
}

function openSection(line: string, lineNumber: number, sections: Map<SectionName, Values>) {
  const header = /^\[\s*(interface|peer)\s*\]$/i.exec(line);
  if (header === null) throw parseError(`line ${lineNumber}: unknown section; a client config has only [Interface] and [Peer]`);
  const name: SectionName = header[1].toLowerCase() === 'interface' ? 'Interface' : 'Peer';
  if (sections.has(name)) throw parseError(`line ${lineNumber}: a second [${name}] section; a client config has exactly one`);
  const values: Values = new Map();
  sections.set(name, values);
  return { name, values };
}

function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : line.slice(0, hash);
}

function splitList(value: string, key: string, lineNumber: number): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw parseError(`line ${lineNumber}: ${key} has an empty entry; separate values with single commas`);
  return items;
}

function required(values: Values, key: string): string[] {
  const found = values.get(key);
  if (found === undefined) throw parseError(`${key} is missing; the config needs ${key} = …`);
  return found;
}

function optionalInteger(values: Values, key: string, options: { offMeansNull: boolean }): number | null {
  const text = values.get(key)?.[0];
  if (text === undefined || (options.offMeansNull && text.toLowerCase() === 'off')) return null;
  if (!/^[0-9]{1,6}$/.test(text)) throw parseError(`${key} must be a whole number`);
  return Number(text);
}

function unknownKey(key: string, section: SectionName, lineNumber: number): WireguardInputError {
  const allowed = [...KEYS.values()].filter((spec) => spec.section === section).map((spec) => spec.name);
  return parseError(`line ${lineNumber}: ${JSON.stringify(key)} is not supported in [${section}]; use one of ${allowed.join(', ')}`);
}

function parseError(message: string): WireguardInputError {
  return new WireguardInputError('text', message);
}
