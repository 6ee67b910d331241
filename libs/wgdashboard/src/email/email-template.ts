import { Liquid } from 'liquidjs';
import { formatPythonFloat, PyFloat } from '../python-json.js';

/** What an e-mail body may mention (notes §2.50): the peer (§1.8.2, with its configuration §1.8.1) and its .conf (§2.27). */
export interface EmailTemplateContext {
  peer: Record<string, unknown>;
  configurationFile: { fileName: string; file: string };
}

export type RenderedBody = { ok: true; text: string } | { ok: false; message: string };

/**
 * Upstream renders the body with an unsandboxed Jinja2 `Template`, which is remote code execution
 * for anyone holding a key (notes §4.2). Here it is Liquid, which has no way to call a function or
 * reach a prototype: properties are read only when they are the object's own (`ownPropertyOnly`),
 * the data handed in is copied into plain null-prototype objects first, the tags that read other
 * templates (include, render, layout) do not exist, an unknown filter is an error instead of being
 * skipped, and loops are bounded. `{{ peer.name }}` and `{{ configurationFile.fileName }}`, the
 * documented use, render as Jinja renders them.
 */
const engine = new Liquid({
  ownPropertyOnly: true,
  strictFilters: true,
  strictVariables: false,
  // An in-memory, empty template map: even if a partial tag came back, it would find nothing on disk.
  templates: {},
  dynamicPartials: false,
  cache: false,
  parseLimit: 256 * 1024,
  memoryLimit: 1_000_000,
  renderLimit: 2_000,
  outputEscape: pythonStr,
});
for (const tag of ['include', 'render', 'layout']) delete engine.tags[tag];

/** Renders per request: with `templateLimit` a loop cannot emit more than this many pieces. */
const TEMPLATE_LIMIT = 10_000;

/**
 * The e-mail body for one peer, or the engine's error (upstream: the Jinja error text; never a 500).
 * The source is first read as Jinja reads it (`keep_trailing_newline=False`): every line break
 * becomes `\n` and one trailing line break is dropped.
 */
export function renderEmailBody(template: string, context: EmailTemplateContext): RenderedBody {
  try {
    const scope = { peer: toTemplateData(context.peer), configurationFile: toTemplateData(context.configurationFile) };
    const text = engine.parseAndRenderSync(asJinjaReadsIt(template), scope, { templateLimit: TEMPLATE_LIMIT });
    return { ok: true, text: String(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Jinja's lexer: split on \r\n, \r or \n, drop one empty last line, join with \n. */
export function asJinjaReadsIt(source: string): string {
  const lines = source.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n');
}

/**
 * A deep copy that holds only data: strings, booleans, null, integers, arrays and null-prototype
 * objects. A Python float (`PyFloat`) becomes its Python text (`0.0`), so it prints as upstream's
 * does; anything else (functions, class instances, symbols) is left out.
 */
export function toTemplateData(value: unknown, depth = 0): unknown {
  if (depth > 8) return undefined;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return formatPythonFloat(value.value);
  if (Array.isArray(value)) return value.map((item) => toTemplateData(item, depth + 1) ?? null);
  if (typeof value === 'object' && isPlainObject(value)) {
    const copy: Record<string, unknown> = Object.create(null);
    for (const [key, item] of Object.entries(value)) {
      const data = toTemplateData(item, depth + 1);
      if (data !== undefined) copy[key] = data;
    }
    return copy;
  }
  return undefined;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Python's `str()` of a value, which is what `{{ x }}` prints in Jinja: `True`, `None`, `['a']`. */
export function pythonStr(value: unknown): string {
  if (value === undefined) return ''; // Jinja's Undefined prints as nothing
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatPythonFloat(value);
  if (typeof value === 'string') return quoteLikePython(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${quoteLikePython(key)}: ${pythonRepr(item)}`)
      .join(', ')}}`;
  }
  return '';
}

/** `repr(str)`: single quotes unless the text has one and no double quote; control characters escaped. */
function quoteLikePython(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\u0000-\u001f\u007f]/g, (char) => {
    if (char === '\\') return '\\\\';
    if (char === '\n') return '\\n';
    if (char === '\r') return '\\r';
    if (char === '\t') return '\\t';
    return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}
