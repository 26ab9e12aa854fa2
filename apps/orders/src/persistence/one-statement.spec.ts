import type { EntityManager } from 'typeorm';
import { NotOneStatementError, oneStatement } from './one-statement';

describe('work run without a transaction', () => {
  const fake = () => {
    const calls: string[] = [];
    const manager = {
      query: async (sql: string) => (calls.push(sql), [{ ok: 1 }]),
      getRepository: () => ({}),
      connection: 'c',
    } as unknown as EntityManager;
    return { manager, calls };
  };

  it('runs its one statement', async () => {
    const { manager, calls } = fake();
    await expect(oneStatement(manager).query('INSERT 1')).resolves.toEqual([{ ok: 1 }]);
    expect(calls).toEqual(['INSERT 1']);
  });

  it('refuses a second statement before it reaches the database', async () => {
    const { manager, calls } = fake();
    const one = oneStatement(manager);
    await one.query('INSERT 1');
    expect(() => one.query('INSERT 2')).toThrow(NotOneStatementError);
    expect(calls).toEqual(['INSERT 1']);
  });

  it('refuses repositories and anything else that would make statements of its own', () => {
    const { manager } = fake();
    expect(() => oneStatement(manager).getRepository('orders')).toThrow(/EntityManager.getRepository/);
    expect((oneStatement(manager) as unknown as { connection: string }).connection).toBe('c');
  });
});
