/**
 * Blind review helpers (pure). Experts of a blind panel see a panel code instead of a company; a
 * proposal may still name its authors, so every organization name and credit code of the subject is
 * replaced by the code before the text leaves the server.
 */

/** Panel codes: a stage letter and a two-digit number ("A-07"; "A-123" past 99). */
export function panelCode(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(2, '0')}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces each term (organization names, credit codes) by `replacement`, case-insensitively, longest
 * first so that "深圳市某某科技有限公司" is replaced before its prefix "深圳市某某科技". Terms shorter than 2
 * characters are ignored (they would shred ordinary text).
 */
export function redactTerms(text: string, terms: (string | null | undefined)[], replacement: string): string {
  const unique = [
    ...new Set(terms.filter((t): t is string => !!t && t.trim().length >= 2).map((t) => t.trim())),
  ];
  if (!unique.length) return text;
  unique.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(unique.map(escapeRegExp).join('|'), 'giu');
  return text.replace(pattern, replacement);
}

/**
 * The short forms a company is often called by in its own text: the full name, and the name without
 * the legal-form suffix and the leading city (深圳市某某科技有限公司 → 某某科技有限公司, 深圳市某某科技, 某某科技).
 */
export function nameVariants(name: string): string[] {
  const variants = new Set<string>([name]);
  const suffixes = [
    '股份有限公司',
    '有限责任公司',
    '有限公司',
    '集团',
    'Co., Ltd.',
    'Co.,Ltd.',
    'Ltd.',
    'Inc.',
  ];
  const withoutCity = name.replace(/^(.{2,3}?[省市区])/u, '');
  for (const base of [name, withoutCity]) {
    variants.add(base);
    for (const suffix of suffixes) {
      if (base.endsWith(suffix) && base.length - suffix.length >= 2)
        variants.add(base.slice(0, -suffix.length).trim());
    }
  }
  return [...variants].filter((v) => v.length >= 2);
}

/** Fisher–Yates with an injected random source (codes must not reveal the order of applications). */
export function shuffled<T>(items: T[], random: (maxExclusive: number) => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
