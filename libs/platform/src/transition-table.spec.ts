import { IllegalTransitionError, TransitionTable } from './transition-table';

describe('transition tables', () => {
  const door = () => new TransitionTable('door', ['open', 'shut', 'gone'] as const, { close: { from: ['open'], to: 'shut' }, open: { from: ['shut'], to: 'open' }, burn: { from: ['open', 'shut'], to: 'gone' } }, ['shut'], ['gone']);

  it('moves only along the table', () => {
    const t = door();
    expect(t.next('shut', 'open')).toBe('open');
    expect(t.canTake('open', 'open')).toBe(false);
    expect(() => t.next('gone', 'open')).toThrow(IllegalTransitionError);
    expect(() => t.next('open', 'open')).toThrow("a door that is open cannot take 'open' (allowed from shut)");
  });

  it('refuses a broken table when it is made', () => {
    expect(() => new TransitionTable('x', ['a', 'b'] as const, { go: { from: ['a'], to: 'c' as 'b' } }, ['a'], [])).toThrow(/unknown status c/);
    expect(() => new TransitionTable('x', ['a', 'b'] as const, { go: { from: ['b'], to: 'a' } }, ['a'], ['b'])).toThrow(/leaves final status b/);
    expect(() => new TransitionTable('x', ['a', 'b'] as const, { stay: { from: ['a'], to: 'a' } }, ['a'], [])).toThrow(/never reached: b/);
  });
});
