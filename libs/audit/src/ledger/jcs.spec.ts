import { canonicalJson, canonicalJsonBytes, CanonicalJsonError } from './jcs';

const fromBits = (hex: string): number => Buffer.from(hex, 'hex').readDoubleBE(0);

describe('canonicalJson (RFC 8785)', () => {
  // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text
  const numberSamples: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];

  it.each(numberSamples)('serializes the IEEE 754 value %s as %s (Appendix B)', (bits, expected) => {
    expect(canonicalJson(fromBits(bits))).toBe(expected);
    expect(canonicalJson([fromBits(bits)])).toBe(`[${expected}]`);
  });

  it.each(['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000'])(
    'refuses NaN and Infinity (%s)',
    (bits) => {
      expect(() => canonicalJson({ n: fromBits(bits) })).toThrow(CanonicalJsonError);
    },
  );

  it('canonicalizes the RFC 8785 §3.2.2 example (values, escaping, literals)', () => {
    const input = JSON.parse(
      '{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n' +
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n' +
        '  "literals": [null, true, false]\n}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
    // and the UTF-8 bytes of the RFC's hex dump start
    expect(canonicalJsonBytes(input).subarray(0, 12).toString('hex')).toBe('7b226c69746572616c73223a');
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
        '"1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control",' +
        '"\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ) as Record<string, string>;
    const text = canonicalJson(input);
    // read the order from the text: JSON.parse would put the integer-like name "1" first again
    const values = [...text.matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    // U+1F600 (surrogates D83D DE00) sorts before U+FB33 by code units, though after it by code points
    expect(text).toMatch(/"\u{1F600}":"Emoji: Grinning Face","\ufb33":/u);
  });

  it('matches the reference implementation test data (weird.json)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","1":"One","\\u0080":"Control\\u007f","\\ud83d\\ude02":"Smiley",' +
        '"\\u00f6":"Latin Small Letter O With Diaeresis","\\ufb33":"Hebrew Letter Dalet With Dagesh",' +
        '"</script>":"Browser Challenge"}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",' +
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\u{1F602}":"Smiley",' +
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects recursively, keeps array order and uses no whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: [] }, 'x'], a: { d: null, c: true } })).toBe(
      '{"a":{"c":true,"d":null},"b":[3,{"a":[],"z":1},"x"]}',
    );
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson('')).toBe('""');
  });

  it('escapes control characters in lowercase hex and nothing else', () => {
    expect(canonicalJson('\u0000\u001f\b\t\n\f\r"\\/\u007f\u2028é')).toBe(
      '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028é"',
    );
  });

  it('refuses what is not JSON data', () => {
    for (const bad of [
      undefined,
      { a: undefined },
      () => 1,
      10n,
      Symbol('x'),
      new Date(0),
      new Map(),
      '\ud800',
      { '\udc00': 1 },
    ]) {
      expect(() => canonicalJson(bad)).toThrow(CanonicalJsonError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/circular/);
  });

  it('gives the same text for the same data however it was written', () => {
    const a = JSON.parse('{"x": 1.0, "y": [1e2, -0], "z": "\\u0041"}') as unknown;
    const b = JSON.parse('{"z":"A","y":[100,0],"x":1}') as unknown;
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });
});

describe('canonicalJson fast path and careful path agree', () => {
  const cases: [string, unknown][] = [
    ['array-index-like member names', { '10': 1, '9': 2, a: 3, '01': 4 }],
    ['nested index-like names', { x: [{ '2': 'b', '1': 'a' }] }],
    ['deep nesting', JSON.parse('['.repeat(100) + '1' + ']'.repeat(100)) as unknown],
    ['negative zero and exponents', { a: -0, b: 1e21, c: 1e-7, d: [0.1, 2 ** 53] }],
    // JSON.parse makes "__proto__" an own member; a copy made by assignment would lose it
    ['a "__proto__" member', JSON.parse('{"b":1,"__proto__":{"x":2},"a":[{"__proto__":3}]}') as unknown],
  ];
  it.each(cases)('serializes %s canonically', (_name, value) => {
    // reference: members sorted by code units, written out by hand
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      if (v !== null && typeof v === 'object') {
        const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${keys.map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`).join(',')}}`;
      }
      return JSON.stringify(v);
    };
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('keeps a "__proto__" member', () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":2}}'))).toBe('{"__proto__":{"x":2},"b":1}');
  });

  it('still names the path of what it refuses', () => {
    expect(() => canonicalJson({ a: [1, { b: undefined }] })).toThrow('$.a[1].b');
    const circular: Record<string, unknown> = {};
    circular.self = { again: circular };
    expect(() => canonicalJson(circular)).toThrow('circular');
  });
});
