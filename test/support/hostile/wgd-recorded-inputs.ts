import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldSpec } from './hostile-cases.js';

export interface RecordedInput {
  /** Query parameters seen in recorded requests, with a recorded value. */
  query: Record<string, string>;
  /** Body fields seen in recorded requests (one level of nesting as `Job.Peer`), with a recorded value. */
  body: Record<string, unknown>;
}

const FIXTURES = join(__dirname, '../../fixtures/wgdashboard');

/**
 * What the real WGDashboard 4.2.5 was sent, per route (`POST /api/addPeers/:configName`), from the
 * recorded exchanges in test/fixtures/wgdashboard: the field and parameter names a hostile-input
 * test must vary, with values from requests upstream accepted first.
 */
export function recordedWgdInputs(templates: string[]): Map<string, RecordedInput> {
  const inputs = new Map<string, RecordedInput>();
  const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.json')).sort();
  const exchanges = files.map((name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as {
    request: { method: string; path: string; body?: unknown };
    body: string;
  });
  // Upstream's successes first: their values are the ones a valid request carries.
  const succeeded = (exchange: { body: string }) => exchange.body.includes('"status":true');
  exchanges.sort((a, b) => Number(succeeded(b)) - Number(succeeded(a)));
  for (const { request } of exchanges) {
    const [path, queryString = ''] = request.path.split('?');
    const template = templates.find((candidate) => matches(candidate, `${request.method} ${path}`));
    if (!template) continue;
    const input = inputs.get(template) ?? { query: {}, body: {} };
    for (const [name, value] of new URLSearchParams(queryString)) input.query[name] ??= encodeURIComponent(value);
    if (typeof request.body === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(request.body);
      } catch {
        parsed = undefined;
      }
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [name, value] of Object.entries(parsed)) if (!(name in input.body)) input.body[name] = value;
      }
    }
    inputs.set(template, input);
  }
  return inputs;
}

function matches(template: string, actual: string): boolean {
  const pattern = template.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+').replace(/\*/g, '.*');
  return new RegExp(`^${pattern}/?$`).test(actual);
}

/** Field specs from recorded values: the JSON type upstream was sent, and the nested fields of an object. */
export function fieldSpecsOf(body: Record<string, unknown>, multiLine: ReadonlySet<string>): Record<string, FieldSpec> {
  const specs: Record<string, FieldSpec> = {};
  const specOf = (name: string, value: unknown): FieldSpec => {
    const base = { multiLine: multiLine.has(name), zeroOk: true };
    if (value === null) return { kind: 'string', nullable: true, ...base };
    if (typeof value === 'number') return { kind: 'int', ...base };
    if (typeof value === 'boolean') return { kind: 'bool', ...base };
    if (Array.isArray(value)) return { kind: 'strings', ...base };
    if (typeof value === 'object') return { kind: 'object', ...base };
    return { kind: 'string', ...base };
  };
  for (const [name, value] of Object.entries(body)) {
    specs[name] = specOf(name, value);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) specs[`${name}.${inner}`] = specOf(inner, innerValue);
    }
  }
  return specs;
}
