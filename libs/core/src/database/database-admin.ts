import { Client } from 'pg';

/**
 * Setup-time helpers run with the admin connection (DATABASE_ADMIN_URL): make sure the application
 * role and database named by DATABASE_URL exist. Never used by the running platform.
 */
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface DatabaseTarget {
  role: string;
  password: string;
  database: string;
}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const u = new URL(url);
  return {
    role: decodeURIComponent(u.username) || 'postgres',
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
}

export async function ensureDatabase(adminUrl: string, appUrl: string): Promise<{ created: boolean }> {
  const target = parseDatabaseUrl(appUrl);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [target.role]);
    if (role.rowCount === 0) {
      await admin.query(
        `CREATE ROLE ${ident(target.role)} LOGIN ${target.password ? `PASSWORD ${literal(target.password)}` : ''}`,
      );
    }
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.database]);
    if (db.rowCount === 0) {
      await admin.query(
        `CREATE DATABASE ${ident(target.database)} OWNER ${ident(target.role)} ENCODING 'UTF8' TEMPLATE template0`,
      );
    }
    // extensions need a superuser; create them here so migrations can rely on them
    const appDbUrl = new URL(adminUrl);
    appDbUrl.pathname = `/${target.database}`;
    const inDb = new Client({ connectionString: appDbUrl.toString() });
    await inDb.connect();
    try {
      await inDb.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      await inDb.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    } finally {
      await inDb.end();
    }
    return { created: db.rowCount === 0 };
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
