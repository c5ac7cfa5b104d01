#!/usr/bin/env node
// Generates a migration from the difference between the entities and the migrated schema.
//   npm run migration:generate -- AddScenarios     writes libs/core/src/database/migrations/<ts>-AddScenarios.ts
//   node scripts/migration-generate.mjs --check    exits 1 if entities and migrations disagree
//   ... -- Name --tables=scenarios,batches        keep only statements about these tables (parallel work)
// Works on a scratch database (created and dropped here), never on yours.
import { execSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const check = args.includes('--check');
const name = args.find((a) => !a.startsWith('--'));
const tablesArg = args.find((a) => a.startsWith('--tables='));
const onlyTables = tablesArg ? tablesArg.slice('--tables='.length).split(',').filter(Boolean) : null;
const concerns = (q) => !onlyTables || onlyTables.some((t) => q.query.includes(`"${t}"`));
if (!check && !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) {
  console.error('usage: npm run migration:generate -- MigrationName   (PascalCase)  |  --check');
  process.exit(2);
}
if (!args.includes('--no-build')) execSync('npm run -s build', { cwd: root, stdio: 'inherit' });

const dist = (p) => join(root, 'dist', p);
const { loadConfig } = require(dist('libs/core/src/config/app-config.js'));
const { ensureDatabase, dropDatabase, parseDatabaseUrl } = require(
  dist('libs/core/src/database/database-admin.js'),
);
const { dataSourceOptions } = require(dist('libs/core/src/database/data-source-options.js'));
const { DataSource } = require('typeorm');

const config = loadConfig();
const scratch = new URL(config.database.url);
scratch.pathname = `/aihub_migrations_${Date.now().toString(36)}_${process.pid}`;
const scratchUrl = scratch.toString();
await ensureDatabase(config.database.adminUrl, scratchUrl);
let exitCode = 0;
try {
  const entities = readdirSync(dist('libs'), { recursive: true })
    .filter((f) => String(f).endsWith('.entity.js'))
    .map((f) => dist(join('libs', String(f))));
  const ds = new DataSource({
    ...dataSourceOptions({ ...config.database, url: scratchUrl, poolSize: 2 }),
    entities,
    logging: false,
  });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  const sql = await ds.driver.createSchemaBuilder().log();
  sql.upQueries = sql.upQueries.filter(concerns);
  sql.downQueries = sql.downQueries.filter(concerns);
  await ds.destroy();
  if (check) {
    if (sql.upQueries.length) {
      console.error('Entities and migrations disagree. Missing from migrations:');
      for (const q of sql.upQueries) console.error(`  ${q.query};`);
      console.error('Run: npm run migration:generate -- <Name>');
      exitCode = 1;
    } else {
      console.log('migrations match entities');
    }
  } else if (!sql.upQueries.length) {
    console.log('No changes: entities match the migrations.');
  } else {
    const ts = Date.now();
    const esc = (q) => q.query.replace(/\\/g, '\\\\').replace(/`/g, '\\`');
    const params = (q) => (q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : '');
    const up = sql.upQueries.map((q) => `    await queryRunner.query(\`${esc(q)}\`${params(q)});`).join('\n');
    const down = sql.downQueries
      .reverse()
      .map((q) => `    await queryRunner.query(\`${esc(q)}\`${params(q)});`)
      .join('\n');
    const file = join(root, 'libs/core/src/database/migrations', `${ts}-${name}.ts`);
    writeFileSync(
      file,
      `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${ts} implements MigrationInterface {\n  name = '${name}${ts}';\n\n  public async up(queryRunner: QueryRunner): Promise<void> {\n${up}\n  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
    );
    console.log(
      `wrote ${file}\nReview it, then add ${name}${ts} to MIGRATIONS in libs/core/src/database/migrations/index.ts`,
    );
  }
} finally {
  await dropDatabase(config.database.adminUrl, parseDatabaseUrl(scratchUrl).database);
}
process.exit(exitCode);
