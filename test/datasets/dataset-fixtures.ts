import type { TestApp, TestUser } from '../utils/test-app';
import { uniqueSuffix } from '../utils/test-app';

export const BOUNDARY = '----aihub-datasets-boundary-9QxVbT';

/** A multipart/form-data body built by hand, so file names reach the server exactly as written. */
export function multipart(parts: { name: string; filename?: string; data: Buffer | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename === undefined
        ? `form-data; name="${p.name}"`
        : `form-data; name="${p.name}"; filename="${p.filename}"`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n` +
          (p.filename === undefined ? '' : 'Content-Type: application/octet-stream\r\n') +
          '\r\n',
      ),
      typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

export const HOTLINE_FIELDS = [
  { name: 'ticket_id', type: 'string', identifier: 'none', masking: 'none' },
  { name: 'created_at', type: 'datetime', identifier: 'quasi', masking: 'generalize' },
  { name: 'district', type: 'string', identifier: 'quasi', masking: 'none' },
  { name: 'category', type: 'string', identifier: 'none', masking: 'none' },
  { name: 'text', type: 'string', identifier: 'none', masking: 'truncate', params: { keepChars: 4 } },
  { name: 'caller_mobile', type: 'string', identifier: 'direct', masking: 'drop' },
  { name: 'caller_id_card', type: 'string', identifier: 'direct', masking: 'hash' },
  {
    name: 'duration_s',
    type: 'integer',
    identifier: 'none',
    masking: 'generalize',
    params: { bandWidth: 60 },
  },
];

const DISTRICTS = ['福田区', '南山区', '罗湖区', '宝安区', '龙岗区'];
const CATEGORIES = ['市容环境', '噪音扰民', '道路交通', '住房保障'];

/** GB 11643 check character */
function residentId(body17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body17 + '10X98765432'[sum % 11];
}

/** Deterministic hotline rows; every 7th text spans two lines (quoted newline). */
export function hotlineCsv(rows: number, seed = 1): string {
  const lines = ['ticket_id,created_at,district,category,text,caller_mobile,caller_id_card,duration_s'];
  for (let i = 0; i < rows; i++) {
    const n = seed * 100_000 + i;
    const text = i % 7 === 0 ? `"路灯不亮，""急""\n第二行说明${n}"` : `反映${CATEGORIES[i % 4]}问题${n}`;
    lines.push(
      [
        `GD${n}`,
        `2024-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}T0${i % 10}:15:00Z`,
        DISTRICTS[i % 5],
        CATEGORIES[(i * 3) % 4],
        text,
        `139${String(10_000_000 + n).slice(-8)}`,
        residentId(`44030419800101${String(n % 1000).padStart(3, '0')}`),
        String(30 + ((i * 17) % 600)),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function createDataset(
  t: TestApp,
  steward: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; name: string; [k: string]: unknown }> {
  const res = await t.http
    .post('/api/v1/datasets')
    .set(steward.auth)
    .send({
      name: `hotline-${uniqueSuffix()}`.toLowerCase(),
      description: '12345 热线工单',
      grade: 'general',
      openAttribute: 'open',
      fields: HOTLINE_FIELDS,
      ...overrides,
    });
  if (res.status !== 201) throw new Error(`dataset create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export function uploadVersion(
  t: TestApp,
  user: TestUser,
  datasetId: string,
  data: Buffer | string,
  filename = 'tickets.csv',
) {
  return t.http
    .post(`/api/v1/datasets/${datasetId}/versions`)
    .set(user.auth)
    .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
    .send(multipart([{ name: 'file', filename, data }]));
}
