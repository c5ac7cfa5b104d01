/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * - Objects: members sorted by their names compared as arrays of UTF-16 code units, no whitespace.
 * - Numbers: the ECMAScript Number::toString form (RFC 8785 §3.2.2.3); -0 becomes 0; NaN and
 *   Infinity are refused.
 * - Strings: `"`, `\` and U+0000..U+001F escaped (\b \t \n \f \r or \u00xx in lowercase hex), everything
 *   else as is (UTF-8 on the wire); lone surrogates are refused (RFC 8785 §3.2.2.2).
 * - Literals: null, true, false. Arrays keep their order.
 *
 * Anything that is not JSON data (undefined, functions, symbols, bigint, Dates, class instances) is
 * refused rather than silently dropped or converted: a hash must never depend on such accidents.
 */
export class CanonicalJsonError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

/**
 * Paths are only needed for error messages: they are built from this chain when something is refused,
 * never on the hot path (verification serializes a million events).
 */
interface PathLink {
  parent: PathLink | undefined;
  key: string | number;
}

function pathText(link: PathLink | undefined): string {
  let text = '';
  for (let l = link; l; l = l.parent) text = (typeof l.key === 'number' ? `[${l.key}]` : `.${l.key}`) + text;
  return `$${text}`;
}

function serializeString(value: string, link?: PathLink): string {
  if (!value.isWellFormed())
    throw new CanonicalJsonError(`${pathText(link)}: string contains a lone surrogate`);
  // ES2019 JSON.stringify escapes exactly what RFC 8785 §3.2.2.2 requires, with lowercase hex
  return JSON.stringify(value);
}

function serializeNumber(value: number, link: PathLink | undefined): string {
  if (!Number.isFinite(value))
    throw new CanonicalJsonError(`${pathText(link)}: ${value} is not a JSON number`);
  // Number::toString; Object.is(-0) prints "0" already
  return String(value);
}

/** UTF-16 code unit order (the default string comparison of JavaScript, independent of locale). */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function serialize(value: unknown, link: PathLink | undefined, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value, link);
    case 'string':
      return serializeString(value, link);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${pathText(link)}: ${typeof value} is not JSON data`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new CanonicalJsonError(`${pathText(link)}: circular structure`);
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      let out = '[';
      for (let i = 0; i < obj.length; i++) {
        if (i > 0) out += ',';
        out += serialize(obj[i], { parent: link, key: i }, seen);
      }
      return `${out}]`;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(`${pathText(link)}: only plain objects are JSON data`);
    }
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record).sort(byCodeUnits);
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (i > 0) out += ',';
      out += `${serializeString(key, link)}:${serialize(record[key], { parent: link, key }, seen)}`;
    }
    return `${out}}`;
  } finally {
    seen.delete(obj);
  }
}

/** Returned by {@link plainCopy} when the generic serializer must decide (and explain) instead. */
const UNUSUAL = Symbol('unusual');
const ARRAY_INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;
const MAX_FAST_DEPTH = 64;

/**
 * A copy whose members are inserted in code-unit order, so that JSON.stringify renders it exactly as
 * RFC 8785 wants (same number form and string escapes) at native speed — or UNUSUAL when anything needs
 * the careful path: values that are not JSON data, lone surrogates, deep or circular structures,
 * array-index-like member names (JavaScript enumerates those numerically, not in code-unit order) and
 * "__proto__".
 */
function plainCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? value : UNUSUAL;
    case 'number':
      return Number.isFinite(value) ? value : UNUSUAL;
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return UNUSUAL;
  }
  if (value === null) return null;
  if (depth > MAX_FAST_DEPTH) return UNUSUAL;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = plainCopy(value[i], depth + 1);
      if (item === UNUSUAL) return UNUSUAL;
      out[i] = item;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return UNUSUAL;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(byCodeUnits);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // "__proto__" would set the copy's prototype instead of adding a member
    if (ARRAY_INDEX_KEY.test(key) || key === '__proto__' || !key.isWellFormed()) return UNUSUAL;
    const member = plainCopy(record[key], depth + 1);
    if (member === UNUSUAL) return UNUSUAL;
    out[key] = member;
  }
  return out;
}

/** The canonical JSON text of `value` (RFC 8785). Hash its UTF-8 bytes. */
export function canonicalJson(value: unknown): string {
  const copy = plainCopy(value, 0);
  return copy === UNUSUAL ? serialize(value, undefined, new Set()) : JSON.stringify(copy);
}

/** UTF-8 bytes of the canonical JSON text. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
