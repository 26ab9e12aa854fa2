import { IllegalTransitionError, TransitionTable } from './transition-table';

describe('transition tables', () => {
  const door = () =>
    new TransitionTable(
      'door',
      ['open', 'shut', 'gone'] as const,
      {
        close: { from: ['open'], to: 'shut' },
        open: { from: ['shut'], to: 'open' },
        burn: { from: ['open', 'shut'], to: 'gone' },
      },
      ['shut'],
      ['gone'],
    );

  it('moves only along the table', () => {
    const t = door();
    expect(t.next('shut', 'open')).toBe('open');
    expect(t.canTake('open', 'open')).toBe(false);
    expect(() => t.next('gone', 'open')).toThrow(IllegalTransitionError);
    expect(() => t.next('open', 'open')).toThrow("a door that is open cannot take 'open' (allowed from shut)");
  });

  it('refuses a broken table when it is made', () => {
    expect(
      () => new TransitionTable('x', ['a', 'b'] as const, { go: { from: ['a'], to: 'c' as 'b' } }, ['a'], []),
    ).toThrow(/unknown status c/);
    expect(() => new TransitionTable('x', ['a', 'b'] as const, { go: { from: ['b'], to: 'a' } }, ['a'], ['b'])).toThrow(
      /leaves final status b/,
    );
    expect(() => new TransitionTable('x', ['a', 'b'] as const, { stay: { from: ['a'], to: 'a' } }, ['a'], [])).toThrow(
      /never reached: b/,
    );
  });
});

describe('what a refused transition says', () => {
  const table = new TransitionTable(
    'order',
    ['new', 'done'] as const,
    { finish: { from: ['new'], to: 'done' } },
    ['new'],
    ['done'],
  );
  const item = new TransitionTable(
    'item',
    ['new', 'done'] as const,
    { finish: { from: ['new'], to: 'done' } },
    ['new'],
    ['done'],
  );

  it('names the subject with its article, the status, the action and where it is allowed from', () => {
    expect(() => table.next('done', 'finish')).toThrow("an order that is done cannot take 'finish' (allowed from new)");
    expect(() => item.next('done', 'finish')).toThrow("an item that is done cannot take 'finish' (allowed from new)");
    const shipment = new TransitionTable(
      'shipment',
      ['a', 'b'] as const,
      { go: { from: ['a'], to: 'b' } },
      ['a'],
      ['b'],
    );
    expect(() => shipment.next('b', 'go')).toThrow("a shipment that is b cannot take 'go' (allowed from a)");
    try {
      table.next('done', 'finish');
    } catch (e) {
      expect((e as Error).name).toBe('IllegalTransitionError');
    }
  });

  it('refuses a table with a status nothing reaches, naming it', () => {
    expect(
      () =>
        new TransitionTable(
          'order',
          ['new', 'done', 'lost'] as const,
          { finish: { from: ['new'], to: 'done' } },
          ['new'],
          ['done'],
        ),
    ).toThrow('order statuses never reached: lost');
  });
});
