import { createRowMasker, generalize, keyedHash, truncate } from './masking';

describe('masking rules', () => {
  const saltA = Buffer.from('grant-a-salt');
  const saltB = Buffer.from('grant-b-salt');

  it('keyed hash: stable within a grant, different across grants, known answer', () => {
    expect(keyedHash(saltA, '11010519491231002X')).toBe(keyedHash(saltA, '11010519491231002X'));
    expect(keyedHash(saltA, 'x')).not.toBe(keyedHash(saltB, 'x'));
    // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog") = f7bc83f430538424…
    expect(keyedHash(Buffer.from('key'), 'The quick brown fox jumps over the lazy dog')).toBe(
      'f7bc83f430538424',
    );
    expect(keyedHash(saltA, '')).toBe('');
  });

  it.each([
    ['2024-03-17', '2024-03'],
    ['2024-03-17T08:30:00Z', '2024-03'],
    ['37', '30-39'],
    ['1234', '1000-1999'],
    ['7.5', '0-9'],
    ['-12', '-19--10'],
    ['福田区华强北街道', '福*'],
    ['', ''],
  ])('generalize(%s) = %s', (input, expected) => expect(generalize(input)).toBe(expected));

  it.each([
    ['张三丰', '张**'],
    ['13800138000', '138********'],
    ['深圳市福田区福华三路88号', '深圳市福*********'],
    ['a', 'a'],
  ])('truncate(%s) = %s', (input, expected) => expect(truncate(input)).toBe(expected));

  it('masks rows by the schema and drops undeclared columns', () => {
    const masker = createRowMasker(
      [
        { name: 'id_number', masking: 'hash' },
        { name: 'name', masking: 'drop' },
        { name: 'age', masking: 'generalize' },
        { name: 'district', masking: 'none' },
      ],
      ['id_number', 'name', 'age', 'district', 'secret_note'],
      saltA,
    );
    expect(masker.header).toEqual(['id_number', 'age', 'district']);
    const row = masker.mask(['11010519491231002X', '张三', '67', '福田区', 'x']);
    expect(row).toEqual([keyedHash(saltA, '11010519491231002X'), '60-69', '福田区']);
    expect(row.join(',')).not.toContain('11010519491231002X');
  });

  it.each([
    ['37', { bandWidth: 5 }, '35-39'],
    ['40', { bandWidth: 5 }, '40-44'],
    ['-12', { bandWidth: 5 }, '-15--11'],
    ['37.9', { bandWidth: 10 }, '30-39'],
    ['2024-03-17', { datePrecision: 'year' as const }, '2024'],
  ])('generalize(%s, %j) = %s', (input, options, expected) =>
    expect(generalize(input, options)).toBe(expected),
  );

  it.each([
    ['深圳市福田区', { keepChars: 2 }, '深圳****'],
    ['ab', { keepChars: 5 }, 'ab'],
    ['abc', { keepChars: 0 }, '***'],
  ])('truncate(%s, %j) = %s', (input, options, expected) => expect(truncate(input, options)).toBe(expected));

  it('applies per-field parameters in the row masker', () => {
    const masker = createRowMasker(
      [
        { name: 'age', masking: 'generalize', params: { bandWidth: 5 } },
        { name: 'addr', masking: 'truncate', params: { keepChars: 3 } },
      ],
      ['age', 'addr'],
      saltA,
    );
    expect(masker.mask(['37', '福田区华强北'])).toEqual(['35-39', '福田区***']);
  });
});
