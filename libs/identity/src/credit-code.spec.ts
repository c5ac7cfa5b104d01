import { creditCodeCheckCharacter, isValidCreditCode, withCreditCodeCheck } from './credit-code';

describe('unified social credit code (GB 32100)', () => {
  // published codes of well-known organizations
  it.each([
    '914403001922038216',
    '91440300708461136T',
    '91110000802100433B',
    '91350100M000100Y43',
    '91110108551385082Q',
  ])('accepts %s', (code) => expect(isValidCreditCode(code)).toBe(true));

  it('computes the check character', () => {
    expect(creditCodeCheckCharacter('91440300192203821')).toBe('6');
    expect(creditCodeCheckCharacter('91440300708461136')).toBe('T');
    expect(withCreditCodeCheck('91110000802100433')).toBe('91110000802100433B');
  });

  it.each([
    ['wrong check character', '914403001922038217'],
    ['17 characters', '91440300192203821'],
    ['19 characters', '9144030019220382160'],
    ['forbidden letter I', '91440300I92203821X'],
    ['forbidden letter O', '9144030O192203821X'],
    ['non-digit region code', '91A40300192203821X'],
    ['empty', ''],
  ])('rejects %s', (_, code) => expect(isValidCreditCode(code)).toBe(false));

  it('accepts lower case input', () => expect(isValidCreditCode('91440300708461136t')).toBe(true));
});
