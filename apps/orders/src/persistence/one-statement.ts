// A manager for work that promised to be one statement (atomic without a transaction around it):
// the promise is checked, not taken on trust.
import type { EntityManager } from 'typeorm';

/** Thrown when work that promised one statement makes a second one (a bug: it would not be atomic). */
export class NotOneStatementError extends Error {
  override readonly name = 'NotOneStatementError';
}

/**
 * `manager` for work that must be one statement: its first `query` runs; a second one, or any
 * other use of the manager (repositories, a transaction), throws before reaching the database.
 */
export function oneStatement(manager: EntityManager): EntityManager {
  let used = false;
  return new Proxy(manager, {
    get(target, property, receiver) {
      if (property === 'query') {
        return (sql: string, parameters?: unknown[]) => {
          if (used) throw new NotOneStatementError('work run without a transaction made a second statement');
          used = true;
          return target.query(sql, parameters);
        };
      }
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return () => {
        throw new NotOneStatementError(`work run without a transaction called EntityManager.${String(property)}`);
      };
    },
  });
}
