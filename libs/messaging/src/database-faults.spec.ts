import { databaseUnavailable } from './database-faults';

describe('databaseUnavailable', () => {
  it('is true for PostgreSQL shutting down, refusing connections or a lost connection', () => {
    expect(
      databaseUnavailable(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).toBe(true);
    expect(databaseUnavailable(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(
      true,
    );
    expect(
      databaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(databaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(databaseUnavailable(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe(true);
  });

  it('looks through what TypeORM wraps', () => {
    const wrapped = Object.assign(new Error('query failed'), {
      driverError: Object.assign(new Error('x'), { code: '57P01' }),
    });
    expect(databaseUnavailable(wrapped)).toBe(true);
  });

  it('is false for errors about the data: a constraint, a deadlock, a rule of ours', () => {
    expect(databaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(databaseUnavailable(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
    expect(databaseUnavailable(new Error('order completed before the ledger saw it paid'))).toBe(false);
    expect(databaseUnavailable(undefined)).toBe(false);
  });
});
