/**
 * `.env.example` and docs/configuration.md document exactly the variables of configSchema, with the
 * schema's real defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../libs/core/src/config/config.schema';

const root = join(__dirname, '..', '..');
const schemaKeys = Object.keys(configSchema.shape).sort();
const defaults = configSchema.parse({}) as Record<string, unknown>;

/** The schema's default as text, or undefined when the variable has none. */
function defaultOf(key: string): string | undefined {
  const value = defaults[key];
  return value === undefined ? undefined : String(value);
}

interface EnvLine {
  key: string;
  value: string;
  commented: boolean;
  lineNo: number;
}

function parseEnvExample(text: string): { entries: EnvLine[]; lines: string[] } {
  const lines = text.split('\n');
  const entries: EnvLine[] = [];
  lines.forEach((line, i) => {
    const m = /^(#\s?)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) entries.push({ key: m[2], value: m[3], commented: !!m[1], lineNo: i });
  });
  return { entries, lines };
}

describe('.env.example', () => {
  const { entries, lines } = parseEnvExample(readFileSync(join(root, '.env.example'), 'utf8'));
  const keys = entries.map((e) => e.key);

  it('lists every configSchema variable', () => {
    expect(schemaKeys.filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('lists nothing that configSchema does not define', () => {
    expect(keys.filter((k) => !schemaKeys.includes(k))).toEqual([]);
  });

  it('lists each variable once', () => {
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('explains each variable in a comment right above it, stating its default', () => {
    for (const { key, lineNo } of entries) {
      const comment = lines[lineNo - 1] ?? '';
      const isProse = comment.startsWith('# ') && !/^#\s?[A-Z][A-Z0-9_]*=/.test(comment);
      expect({ key, comment, isProse }).toEqual({ key, comment, isProse: true });
      // the comment block (possibly two lines) ends with "(default: ...)"
      const block = [lines[lineNo - 2] ?? '', comment].join(' ');
      expect({ key, block }).toEqual({ key, block: expect.stringMatching(/\(default[^)]*\)/) });
      const def = defaultOf(key);
      if (def !== undefined) expect({ key, block }).toEqual({ key, block: expect.stringContaining(def) });
    }
  });

  it('shows the schema default on commented-out lines of variables that have one', () => {
    for (const { key, value, commented } of entries) {
      const def = defaultOf(key);
      if (commented && def !== undefined) expect({ key, value }).toEqual({ key, value: def });
    }
  });

  it('contains values that the schema accepts', () => {
    const active = Object.fromEntries(entries.filter((e) => !e.commented).map((e) => [e.key, e.value]));
    expect(configSchema.safeParse(active).success).toBe(true);
  });
});

describe('docs/configuration.md', () => {
  const doc = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$/gm)].map(
    (m) => ({
      key: m[1],
      default: m[2].trim(),
      required: m[4].trim(),
    }),
  );
  const keys = rows.map((r) => r.key);

  it('has one table row per configSchema variable, and no others', () => {
    expect([...keys].sort()).toEqual(schemaKeys);
  });

  it('states the schema default of each variable', () => {
    for (const row of rows) {
      const def = defaultOf(row.key);
      const expected = def === undefined ? '—' : `\`${def}\``;
      expect({ key: row.key, default: row.default }).toEqual({ key: row.key, default: expected });
    }
  });

  it('says for each variable whether production requires it', () => {
    for (const row of rows)
      expect({ key: row.key, required: row.required }).toEqual({
        key: row.key,
        required: expect.stringMatching(/^(yes|no)\b/),
      });
    const required = rows.filter((r) => r.required.startsWith('yes')).map((r) => r.key);
    // what loadConfig() enforces when NODE_ENV=production
    expect(required).toEqual(
      expect.arrayContaining(['JWT_SECRET', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'DATABASE_URL']),
    );
  });
});
