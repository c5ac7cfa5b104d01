/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a 31-symbol
 * alphabet (no I, O, S, V, Z); the last is a check character over the first 17 (weights 3^i mod 31).
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckCharacter(first17: string): string | null {
  if (!/^[0-9A-HJ-NPQRTUWXY]{17}$/.test(first17)) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]) * WEIGHTS[i];
  const check = (31 - (sum % 31)) % 31;
  return ALPHABET[check];
}

export function isValidCreditCode(code: string): boolean {
  if (typeof code !== 'string' || code.length !== 18) return false;
  const upper = code.toUpperCase();
  // positions 3-8 are the administrative division code (digits)
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(upper)) return false;
  return creditCodeCheckCharacter(upper.slice(0, 17)) === upper[17];
}

/** Completes 17 characters into a valid code (for fixtures and demo data). */
export function withCreditCodeCheck(first17: string): string {
  const check = creditCodeCheckCharacter(first17.toUpperCase());
  if (!check) throw new Error(`not a credit code body: ${first17}`);
  return first17.toUpperCase() + check;
}
