import { PassThrough, Readable } from 'node:stream';
import { parseCsv } from '../csv';
import { keyedHash } from '../governance/masking';
import { rowFingerprint } from '../governance/fingerprints';
import type { DatasetField } from '../schema/dataset-schema';
import { writeMaskedView } from './masked-view';
import { writeSyntheticView } from './synthetic-view';

async function collect(run: (out: PassThrough) => Promise<unknown>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

/** the source in small chunks, to exercise the streaming paths */
const chunked = (text: string, size = 7) =>
  Readable.from(
    Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
      Buffer.from(text.slice(i * size, i * size + size)),
    ),
  );

const FIELDS: DatasetField[] = [
  { name: 'ticket_id', type: 'string', identifier: 'none', masking: 'none' },
  { name: 'created_at', type: 'datetime', identifier: 'quasi', masking: 'generalize' },
  { name: 'district', type: 'string', identifier: 'quasi', masking: 'none' },
  { name: 'age', type: 'integer', identifier: 'quasi', masking: 'generalize', params: { bandWidth: 5 } },
  { name: 'caller_mobile', type: 'string', identifier: 'direct', masking: 'drop' },
  { name: 'caller_id_card', type: 'string', identifier: 'direct', masking: 'hash' },
  { name: 'text', type: 'string', identifier: 'none', masking: 'truncate', params: { keepChars: 2 } },
];

describe('masked view', () => {
  it('applies the field rules to every row (known answers), quoted newlines included', async () => {
    const salt = Buffer.from('grant-1-salt-0123456789');
    const src =
      'ticket_id,created_at,district,age,caller_mobile,caller_id_card,text\n' +
      'T1,2024-03-17T08:30:00Z,福田区,37,13800138000,11010519491231002X,"路灯坏了\n请修"\n' +
      'T2,2024-04-01 10:00,南山区,40,13900139000,,噪音扰民\n';
    const text = await collect((out) => writeMaskedView(chunked(src), out, FIELDS, salt));
    expect(parseCsv(text).map((r) => r.fields)).toEqual([
      ['ticket_id', 'created_at', 'district', 'age', 'caller_id_card', 'text'],
      ['T1', '2024-03', '福田区', '35-39', keyedHash(salt, '11010519491231002X'), '路灯*****'],
      ['T2', '2024-04', '南山区', '40-44', '', '噪音**'],
    ]);
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('11010519491231002X');
  });

  it('hashes differently under another grant salt, identically under the same', async () => {
    const src = 'caller_id_card\n11010519491231002X\n11010519491231002X\n';
    const a = await collect((out) => writeMaskedView(chunked(src), out, FIELDS, Buffer.from('salt-a')));
    const b = await collect((out) => writeMaskedView(chunked(src), out, FIELDS, Buffer.from('salt-b')));
    const [, a1, a2] = parseCsv(a).map((r) => r.fields[0]);
    const [, b1] = parseCsv(b).map((r) => r.fields[0]);
    expect(a1).toBe(a2);
    expect(a1).not.toBe(b1);
  });
});

describe('synthetic view', () => {
  const DISTRICTS = ['福田区', '南山区', '罗湖区', '宝安区'];
  const weights = [0.4, 0.3, 0.2, 0.1];
  // deterministic source: 4000 rows, districts 40/30/20/10 %, ages ~ 20..79, unique ids and phones
  const rows: string[][] = [];
  for (let i = 0; i < 4000; i++) {
    const u = ((i * 7919) % 1000) / 1000;
    const district = DISTRICTS[u < 0.4 ? 0 : u < 0.7 ? 1 : u < 0.9 ? 2 : 3];
    const age = 20 + ((i * 37) % 60);
    const day = String(1 + (i % 28)).padStart(2, '0');
    rows.push([
      `T${100000 + i}`,
      `2024-03-${day}T${String(i % 24).padStart(2, '0')}:15:00Z`,
      district,
      String(age),
      `138${String(10000000 + i * 13).slice(-8)}`,
      `4403041990${String(1000000 + i).slice(-7)}X`,
      `投诉${i % 3 === 0 ? '噪音' : '路灯'}问题`,
    ]);
  }
  const header = FIELDS.map((f) => f.name);
  const src = [header, ...rows].map((r) => r.join(',')).join('\n') + '\n';

  let synthetic: string[][];
  beforeAll(async () => {
    const text = await collect((out) =>
      writeSyntheticView(Readable.from([Buffer.from(src)]), out, FIELDS, 'seed-1'),
    );
    synthetic = parseCsv(text).map((r) => r.fields);
  });

  it('keeps the schema and the row count', () => {
    expect(synthetic[0]).toEqual(header);
    expect(synthetic).toHaveLength(rows.length + 1);
  });

  it('contains no real row, and no real direct identifier value', () => {
    const real = new Set(rows.map((r) => rowFingerprint(r)));
    const phones = new Set(rows.map((r) => r[4]));
    const ids = new Set(rows.map((r) => r[5]));
    for (const r of synthetic.slice(1)) {
      expect(real.has(rowFingerprint(r))).toBe(false);
      expect(phones.has(r[4])).toBe(false);
      expect(ids.has(r[5])).toBe(false);
      // the shape survives (17 digits and a letter), every character drawn at random
      expect(r[5]).toMatch(/^\d{17}[A-Z]$/);
    }
  });

  it('keeps per-column distributions: category shares within 3 points, mean age within 2 years', () => {
    const data = synthetic.slice(1);
    DISTRICTS.forEach((d, i) => {
      const share = data.filter((r) => r[2] === d).length / data.length;
      expect(Math.abs(share - weights[i])).toBeLessThan(0.03);
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const realAges = rows.map((r) => Number(r[3]));
    const synthAges = data.map((r) => Number(r[3]));
    expect(Math.abs(mean(synthAges) - mean(realAges))).toBeLessThan(2);
    expect(Math.min(...synthAges)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...synthAges)).toBeLessThanOrEqual(79);
    for (const r of data) expect(r[1]).toMatch(/^2024-03-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('is deterministic for a seed and differs for another', async () => {
    const again = await collect((out) =>
      writeSyntheticView(Readable.from([Buffer.from(src)]), out, FIELDS, 'seed-1'),
    );
    expect(parseCsv(again).map((r) => r.fields)).toEqual(synthetic);
    const other = await collect((out) =>
      writeSyntheticView(Readable.from([Buffer.from(src)]), out, FIELDS, 'seed-2'),
    );
    expect(parseCsv(other).map((r) => r.fields)).not.toEqual(synthetic);
  });

  it('redraws rows that would copy a real one (a two-value column set)', async () => {
    const tiny: DatasetField[] = [{ name: 'flag', type: 'boolean', identifier: 'none', masking: 'none' }];
    const text = await collect((out) =>
      writeSyntheticView(
        Readable.from([Buffer.from('flag\ntrue\nfalse\n' + 'true\n'.repeat(10))]),
        out,
        tiny,
        's',
      ),
    );
    // every possible row is a real row: nothing can be generated without copying one
    expect(parseCsv(text).map((r) => r.fields)).toEqual([['flag']]);
  });
});
