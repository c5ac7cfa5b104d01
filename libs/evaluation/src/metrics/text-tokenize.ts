/**
 * Tokenizers of the text metrics. See docs/metrics.md for the exact rules.
 *
 * - `sacrebleuTokens(line, 'zh' | '13a' | 'none')`: sacreBLEU 2.x's tokenizers, reimplemented. For `zh`, every
 *   character in sacreBLEU's `_UCODE_RANGES` is surrounded by spaces, then the `13a` regular expressions split
 *   punctuation from the rest. sacreBLEU compares one-character strings with two-character bounds for its two
 *   supplementary-plane ranges ('\u20000' is U+2000 followed by "0"), so what it effectively treats as Chinese there is
 *   U+2001–U+2A6D (general punctuation such as “ ” … —, arrows, maths symbols …) and U+2F81–U+2FA1, while
 *   supplementary-plane ideographs (U+20000…) are not split. We reproduce that exactly, so scores equal
 *   `sacrebleu --tokenize zh` (divided by 100).
 * - `wordTokens(text)` (wer, rouge_l): every Han, Hiragana or Katakana character, every character of CJK Symbols and
 *   Punctuation (U+3001–U+303F) and of Halfwidth and Fullwidth Forms (U+FF00–U+FFEF) is a token by itself; the
 *   rest is split on whitespace. No case folding, no punctuation removal.
 * - `charTokens(text)` (cer): every Unicode code point except whitespace.
 */

/** Python's `str.isspace()` characters, which `str.split()` and `str.strip()` use in sacreBLEU. */
const PY_WS =
  '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS}]+`, 'u');
const PY_STRIP = new RegExp(`^[${PY_WS}]+|[${PY_WS}]+$`, 'gu');

/** Python `' '.join(s.split())` as a token list. */
function pySplit(s: string): string[] {
  return s.split(PY_WS_RUN).filter((t) => t.length > 0);
}

/** sacreBLEU's `_UCODE_RANGES` as its string comparisons actually evaluate them (inclusive code point ranges). */
const SACREBLEU_ZH_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4db5],
  [0x4e00, 0x9fa5],
  [0x9fa6, 0x9fbb],
  [0xf900, 0xfa2d],
  [0xfa30, 0xfa6a],
  [0xfa70, 0xfad9],
  [0x2001, 0x2a6d], // written ('\u20000', '\u2a6d6') in sacreBLEU, see above
  [0x2f81, 0x2fa1], // written ('\u2f800', '\u2fa1d')
  [0xff00, 0xffef],
  [0x2e80, 0x2eff],
  [0x3000, 0x303f],
  [0x31c0, 0x31ef],
  [0x2f00, 0x2fdf],
  [0x2ff0, 0x2fff],
  [0x3100, 0x312f],
  [0x31a0, 0x31bf],
  [0xfe10, 0xfe1f],
  [0xfe30, 0xfe4f],
  [0x2600, 0x26ff],
  [0x2700, 0x27bf],
  [0x3200, 0x32ff],
  [0x3300, 0x33ff],
];

export function isSacrebleuChineseChar(codePoint: number): boolean {
  for (const [start, end] of SACREBLEU_ZH_RANGES) if (codePoint >= start && codePoint <= end) return true;
  return false;
}

/** sacreBLEU's `TokenizerRegexp` (the language-dependent part of mteval-v13a). */
const REGEXP_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/([\u007b-\u007e\u005b-\u0060\u0020-\u0026\u0028-\u002b\u003a-\u0040\u002f])/gu, ' $1 '],
  [/([^0-9])([.,])/gu, '$1 $2 '],
  [/([.,])([^0-9])/gu, ' $1 $2'],
  [/([0-9])(-)/gu, '$1 $2 '],
];

function regexpTokens(line: string): string[] {
  for (const [re, replacement] of REGEXP_RULES) line = line.replace(re, replacement);
  return pySplit(line);
}

export type BleuTokenizer = 'zh' | '13a' | 'none';

/** Tokens of one segment as sacreBLEU's BLEU sees them (after its `rstrip`). */
export function sacrebleuTokens(segment: string, tokenizer: BleuTokenizer): string[] {
  let line = segment.replace(new RegExp(`[${PY_WS}]+$`, 'u'), '');
  if (tokenizer === 'none') return pySplit(line);
  if (tokenizer === '13a') {
    line = line.replaceAll('<skipped>', '');
    if (line.includes('&')) {
      line = line
        .replaceAll('&quot;', '"')
        .replaceAll('&amp;', '&')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>');
    }
    return regexpTokens(` ${line} `);
  }
  line = line.replace(PY_STRIP, '');
  let spaced = '';
  for (const ch of line) {
    spaced += isSacrebleuChineseChar(ch.codePointAt(0) as number) ? ` ${ch} ` : ch;
  }
  return regexpTokens(spaced);
}

const CJK_TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3001-\u303f\uff00-\uffef]/u;
const WHITESPACE = /\s/u;

/** Word tokens for wer and rouge_l: CJK characters one by one, other text split on whitespace. */
export function wordTokens(text: string): string[] {
  const tokens: string[] = [];
  let word = '';
  for (const ch of text) {
    if (WHITESPACE.test(ch)) {
      if (word) tokens.push(word);
      word = '';
    } else if (CJK_TOKEN.test(ch)) {
      if (word) tokens.push(word);
      word = '';
      tokens.push(ch);
    } else {
      word += ch;
    }
  }
  if (word) tokens.push(word);
  return tokens;
}

/** Character tokens for cer: code points, whitespace dropped. */
export function charTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const ch of text) if (!WHITESPACE.test(ch)) tokens.push(ch);
  return tokens;
}

/** Maps two token lists to small integers so the dynamic programs compare numbers, not strings. */
function encode(a: readonly string[], b: readonly string[]): [Int32Array, Int32Array] {
  const ids = new Map<string, number>();
  const map = (tokens: readonly string[]) =>
    Int32Array.from(tokens, (t) => {
      let id = ids.get(t);
      if (id === undefined) ids.set(t, (id = ids.size));
      return id;
    });
  return [map(a), map(b)];
}

/** Levenshtein distance (unit costs for substitution, insertion, deletion) in O(min(n, m)) memory. */
export function editDistance(reference: readonly string[], hypothesis: readonly string[]): number {
  let [a, b] = encode(reference, hypothesis);
  if (a.length < b.length) [a, b] = [b, a];
  if (b.length === 0) return a.length;
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (ai === b[j - 1] ? 0 : 1);
      const deletion = previous[j] + 1;
      const insertion = current[j - 1] + 1;
      current[j] = Math.min(substitution, deletion, insertion);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/** Length of the longest common subsequence, O(min(n, m)) memory. */
export function lcsLength(x: readonly string[], y: readonly string[]): number {
  let [a, b] = encode(x, y);
  if (a.length < b.length) [a, b] = [b, a];
  if (b.length === 0) return 0;
  let previous = new Int32Array(b.length + 1);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      current[j] = ai === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
