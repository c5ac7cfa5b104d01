import {
  findDirectIdentifiers,
  isMobileNumber,
  isValidResidentId,
  residentIdCheckCharacter,
} from './identifiers';

describe('resident identity numbers (GB 11643)', () => {
  // the two worked examples of the standard itself
  it.each(['11010519491231002X', '440524188001010014', '11010519491231002x'])('accepts %s', (id) =>
    expect(isValidResidentId(id)).toBe(true),
  );

  it('computes the check character', () => {
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
  });

  it.each([
    ['wrong check', '110105194912310021'],
    ['impossible date', '110105194902300026'],
    ['17 digits', '11010519491231002'],
    ['letters', '1101051949123100AX'],
  ])('rejects %s', (_, id) => expect(isValidResidentId(id)).toBe(false));
});

describe('findDirectIdentifiers', () => {
  it('finds resident ids, mobiles and credit codes in free text, masked', () => {
    const found = findDirectIdentifiers(
      '张三,11010519491231002X,电话13800138000; 单位 914403001922038216 +86 13912345678',
    );
    expect(found.map((f) => f.kind)).toEqual(['resident_id', 'mobile', 'credit_code', 'mobile']);
    expect(found[0].masked).toBe('110*************2X');
    expect(found.every((f) => !f.masked.includes('1949'))).toBe(true);
  });

  it('ignores look-alikes: invalid check digits, longer digit runs, landlines, counts', () => {
    expect(findDirectIdentifiers('110105194912310021')).toEqual([]);
    expect(findDirectIdentifiers('order 138001380001234 total 12')).toEqual([]);
    expect(findDirectIdentifiers('0755-83456789 12345678901')).toEqual([]);
    expect(findDirectIdentifiers('914403001922038217')).toEqual([]);
  });

  it('recognises mobile number forms', () => {
    expect(isMobileNumber('13800138000')).toBe(true);
    expect(isMobileNumber('+8613800138000')).toBe(true);
    expect(isMobileNumber('12800138000')).toBe(false);
  });
});
