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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(`${path}: string contains a lone surrogate`);
  // ES2019 JSON.stringify escapes exactly what RFC 8785 §3.2.2.2 requires, with lowercase hex
  return JSON.stringify(value);
}

function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(`${path}: ${value} is not a JSON number`);
  // Number::toString; Object.is(-0) prints "0" already
  return String(value);
}

/** UTF-16 code unit order (the default string comparison of JavaScript, independent of locale). */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function serialize(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value, path);
    case 'string':
      return serializeString(value, path);
    case 'object':
      break;
    default:
      throw new CanonicalJsonError(`${path}: ${typeof value} is not JSON data`);
  }
  const obj = value as object;
  if (seen.has(obj)) throw new CanonicalJsonError(`${path}: circular structure`);
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return `[${obj.map((item, i) => serialize(item, `${path}[${i}]`, seen)).join(',')}]`;
    }
    const proto = Object.getPrototypeOf(obj) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new CanonicalJsonError(`${path}: only plain objects are JSON data`);
    }
    const record = obj as Record<string, unknown>;
    const members = Object.keys(record)
      .sort(byCodeUnits)
      .map((key) => `${serializeString(key, path)}:${serialize(record[key], `${path}.${key}`, seen)}`);
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}

/** The canonical JSON text of `value` (RFC 8785). Hash its UTF-8 bytes. */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$', new Set());
}

/** UTF-8 bytes of the canonical JSON text. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
