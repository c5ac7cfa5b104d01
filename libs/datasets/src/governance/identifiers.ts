import { isValidCreditCode } from '@aihub/identity';

/**
 * Direct identifiers that must never leave a sandbox (DESIGN.md "automatic output checks"):
 * 18-digit resident identity numbers with a valid GB 11643 check character, mainland mobile numbers,
 * and unified social credit codes with a valid GB 32100 check character.
 */
export type IdentifierKind = 'resident_id' | 'mobile' | 'credit_code';

export interface IdentifierMatch {
  kind: IdentifierKind;
  /** the match with all but the first 3 and last 2 characters starred, safe to show to reviewers */
  masked: string;
  index: number;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function residentIdCheckCharacter(first17: string): string | null {
  if (!/^\d{17}$/.test(first17)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

/** GB 11643-1999: region (6) + birth date YYYYMMDD (8) + sequence (3) + check (0-9 or X). */
export function isValidResidentId(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return false;
  return residentIdCheckCharacter(id.slice(0, 17)) === id[17].toUpperCase();
}

/** Mainland mobile numbers: 11 digits starting 13–19, optionally prefixed +86 / 86. */
export const isMobileNumber = (s: string): boolean => /^(?:\+?86[- ]?)?1[3-9]\d{9}$/.test(s);

const mask = (s: string) =>
  s.length <= 5 ? '*'.repeat(s.length) : `${s.slice(0, 3)}${'*'.repeat(s.length - 5)}${s.slice(-2)}`;

// candidates are delimited by anything that is not a letter or digit, so "13800138000123" is not a phone
const RESIDENT_ID = /(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])/g;
const MOBILE = /(?<![0-9A-Za-z+])((?:\+?86[- ]?)?1[3-9]\d{9})(?![0-9A-Za-z])/g;
const CREDIT_CODE = /(?<![0-9A-Za-z])([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z])/g;

/** Every direct identifier in a piece of text (a line of output, a log line, a cell). */
export function findDirectIdentifiers(text: string): IdentifierMatch[] {
  const found: IdentifierMatch[] = [];
  for (const m of text.matchAll(RESIDENT_ID)) {
    if (isValidResidentId(m[1])) found.push({ kind: 'resident_id', masked: mask(m[1]), index: m.index });
  }
  for (const m of text.matchAll(MOBILE)) found.push({ kind: 'mobile', masked: mask(m[1]), index: m.index });
  for (const m of text.matchAll(CREDIT_CODE)) {
    // an 18-digit resident id can also look like a credit code; the resident-id reading wins
    if (isValidCreditCode(m[1]) && !isValidResidentId(m[1]))
      found.push({ kind: 'credit_code', masked: mask(m[1]), index: m.index });
  }
  return found.sort((a, b) => a.index - b.index);
}
