import type { KafkaMessage } from 'kafkajs';
import { GroupCommit } from './group-commit';
import { Lane } from './lane';

const chunk = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ offset: String(from + i) }) as KafkaMessage);
const offsets = (messages: KafkaMessage[]) => messages.map((m) => m.offset);

describe('the lane', () => {
  it('runs work one after another, also after a failure', async () => {
    const lane = new Lane();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name} begins`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name} ends`);
        if (fail) throw new Error(name);
        return name;
      };
    const a = lane.alone(step('a', 30, true));
    const b = lane.alone(step('b', 1));
    await expect(a).rejects.toThrow('a');
    await expect(b).resolves.toBe('b');
    expect(log).toEqual(['a begins', 'a ends', 'b begins', 'b ends']);
  });
});

describe('group commit', () => {
  it('puts the chunks brought in the same turn into one transaction, and tells each whether it committed', async () => {
    const transactions: string[][] = [];
    const commit = new GroupCommit(new Lane(), async (messages) => (transactions.push(offsets(messages)), true));
    const done = await Promise.all([commit.add(chunk(0, 2)), commit.add(chunk(10, 1)), commit.add(chunk(20, 3))]);
    expect(done).toEqual([true, true, true]);
    expect(transactions).toEqual([['0', '1', '10', '20', '21', '22']]);
  });

  it('starts a new transaction rather than go over the most events in one', async () => {
    const transactions: number[] = [];
    const commit = new GroupCommit(new Lane(), async (messages) => (transactions.push(messages.length), true), 5);
    await Promise.all([
      commit.add(chunk(0, 3)),
      commit.add(chunk(10, 2)),
      commit.add(chunk(20, 2)),
      commit.add(chunk(30, 7)),
    ]);
    // a chunk bigger than the most goes alone, whole
    expect(transactions).toEqual([5, 2, 7]);
  });

  it('gathers the chunks that come while a transaction runs into the next one', async () => {
    const transactions: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const commit = new GroupCommit(new Lane(), async (messages) => {
      transactions.push(offsets(messages));
      if (transactions.length === 1) await first;
      return true;
    });
    const a = commit.add(chunk(0, 1));
    await new Promise((r) => setImmediate(r));
    const b = commit.add(chunk(10, 1));
    const c = commit.add(chunk(20, 1));
    release();
    await Promise.all([a, b, c]);
    expect(transactions).toEqual([['0'], ['10', '20']]);
  });

  it('tells every chunk of a failed transaction that it did not commit', async () => {
    const commit = new GroupCommit(new Lane(), async () => Promise.reject(new Error('deadlock')));
    await expect(Promise.all([commit.add(chunk(0, 1)), commit.add(chunk(10, 1))])).resolves.toEqual([false, false]);
  });
});
