import { classifyStatement, missingFromStatement } from './reconciliation-rules';

describe('classifying a settlement statement', () => {
  const ours = new Map([
    ['p1', 18_000],
    ['p2', 27_000],
  ]);
  const classify = (lines: { lineNo: number; payoutId: string; amountFen: number }[]) =>
    classifyStatement(lines, (id) => ours.get(id));

  it('gives each line its class, the first rule that applies winning', () => {
    expect(
      classify([
        { lineNo: 4, payoutId: 'p1', amountFen: 18_000 }, // a second line for p1, even with the same amount
        { lineNo: 1, payoutId: 'p1', amountFen: 18_000 },
        { lineNo: 2, payoutId: 'p2', amountFen: 27_001 },
        { lineNo: 3, payoutId: 'stranger', amountFen: 5_000 },
        { lineNo: 5, payoutId: 'stranger', amountFen: 5_000 }, // a duplicate before it is unknown
      ]),
    ).toEqual([
      { lineNo: 1, class: 'matched', payoutFen: 18_000 },
      { lineNo: 2, class: 'amount_mismatch', payoutFen: 27_000 },
      { lineNo: 3, class: 'unknown_to_us', payoutFen: null },
      { lineNo: 4, class: 'duplicate', payoutFen: null },
      { lineNo: 5, class: 'duplicate', payoutFen: null },
    ]);
  });

  it('takes the first line by number, not by the order lines were given, as the original', () => {
    expect(
      classify([
        { lineNo: 9, payoutId: 'p2', amountFen: 1 },
        { lineNo: 2, payoutId: 'p2', amountFen: 27_000 },
      ]).map((l) => l.class),
    ).toEqual(['matched', 'duplicate']);
  });

  it('lists the payouts settled in the period that the statement leaves out', () => {
    const at = (iso: string) => new Date(iso);
    const settled = [
      { id: 'p1', settledAt: at('2026-12-01T10:00:00Z') },
      { id: 'p2', settledAt: at('2026-12-01T11:00:00Z') },
      { id: 'p3', settledAt: at('2026-12-03T00:00:00Z') }, // after the period
    ];
    expect(
      missingFromStatement([{ lineNo: 1, payoutId: 'p1', amountFen: 1 }], settled, {
        from: at('2026-12-01T00:00:00Z'),
        to: at('2026-12-02T00:00:00Z'),
      }).map((p) => p.id),
    ).toEqual(['p2']);
  });
});
