import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/** Applies pending migrations; returns their names. */
export async function runMigrations(db: { url: string; poolSize: number; ssl: boolean }): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions({ ...db, poolSize: 2 }), logging: ['error'] });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
