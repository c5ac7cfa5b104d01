import { rulesToCondition } from '@casl/ability/extra';
import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Action, AppAbility, SubjectType } from './app-ability';

type Sql = { sql: string; params: Record<string, unknown> };

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
let paramSeq = 0;

function fieldCondition(alias: string, field: string, value: unknown): Sql {
  const column = `${alias}.${snake(field)}`;
  const p = `casl_${++paramSeq}`;
  if (value === null) return { sql: `${column} IS NULL`, params: {} };
  if (typeof value === 'object' && !Array.isArray(value) && value !== null) {
    const [op, operand] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    switch (op) {
      case '$eq':
        return fieldCondition(alias, field, operand);
      case '$ne':
        return operand === null
          ? { sql: `${column} IS NOT NULL`, params: {} }
          : { sql: `${column} IS DISTINCT FROM :${p}`, params: { [p]: operand } };
      case '$in':
        return { sql: `${column} = ANY(:${p})`, params: { [p]: operand } };
      case '$nin':
        return { sql: `NOT (${column} = ANY(:${p}))`, params: { [p]: operand } };
      case '$all':
        // array column holding every operand (CASL's $all); `@>` can use a GIN index on the column.
        // An empty list matches every row (in CASL too): surely a mistake in a rule, so refused
        if (!Array.isArray(operand) || operand.length === 0)
          throw new Error(`accessible-query: $all on ${field} needs a non-empty array`);
        return { sql: `${column} @> :${p}`, params: { [p]: operand } };
      default:
        throw new Error(`accessible-query: unsupported operator ${String(op)} on ${field}`);
    }
  }
  return { sql: `${column} = :${p}`, params: { [p]: value } };
}

const join = (parts: Sql[], op: 'AND' | 'OR'): Sql => ({
  sql: parts.length === 1 ? parts[0].sql : `(${parts.map((p) => p.sql).join(` ${op} `)})`,
  params: Object.assign({}, ...parts.map((p) => p.params)),
});

/**
 * SQL for "rows this ability may `action`", from the very rules the guard checks.
 * Supports equality, $eq, $ne, $in and $nin on plain columns, and $all on array columns (membership:
 * `{ consortiumOrgIds: { $all: [orgId] } }`), which is what the ability factory uses.
 */
export function accessibleSql(ability: AppAbility, action: Action, subject: SubjectType, alias: string): Sql {
  const rules = ability.rulesFor(action, subject);
  const result = rulesToCondition(
    rules,
    (rule): Sql => {
      const parts = Object.entries(rule.conditions ?? {}).map(([field, value]) =>
        fieldCondition(alias, field, value),
      );
      const all = parts.length ? join(parts, 'AND') : { sql: 'TRUE', params: {} };
      return rule.inverted ? { sql: `NOT ${all.sql}`, params: all.params } : all;
    },
    {
      and: (c: Sql[]) => join(c, 'AND'),
      or: (c: Sql[]) => join(c, 'OR'),
      empty: (): Sql => ({ sql: 'TRUE', params: {} }),
    },
  );
  return result ?? { sql: 'FALSE', params: {} };
}

/** Restricts a query builder to the rows the ability allows. */
export function whereAccessible<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  ability: AppAbility,
  action: Action,
  subject: SubjectType,
  alias = qb.alias,
): SelectQueryBuilder<T> {
  const { sql, params } = accessibleSql(ability, action, subject, alias);
  return qb.andWhere(new Brackets((w) => w.where(sql, params)));
}
