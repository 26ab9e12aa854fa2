// The reconciliation SQL agrees with its rules: random statements (lines for our payouts with
// right or wrong amounts, payouts listed twice or more, ids unknown to us, lines in any order)
// are classified by ReconciliationRepository.classifyLines and recordMissing in the real
// PostgreSQL and by classifyStatement and missingFromStatement (domain/reconciliation-rules.ts);
// both must give every line the same class and list the same missing payouts.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { classifyStatement, missingFromStatement } from '../../apps/payouts/src/domain/reconciliation-rules';
import { ReconciliationRepository } from '../../apps/payouts/src/persistence/reconciliation.repository';
import { newNamespace, RunningService, startService } from '../support/harness';

class Rollback extends Error {}

describe('reconciliation rules and their SQL', () => {
  let payouts: RunningService;
  beforeAll(async () => {
    payouts = await startService('payouts', { namespace: newNamespace() });
  });
  afterAll(async () => {
    await payouts?.close();
  });

  const PERIOD = { from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') };
  const arbCase = fc.record({
    // our payouts: amount, and when it settled (hours from the period's start; some outside it)
    payouts: fc.array(
      fc.record({ amountFen: fc.integer({ min: 1, max: 50_000 }), settledHour: fc.integer({ min: -12, max: 36 }) }),
      { minLength: 1, maxLength: 12 },
    ),
    // statement lines: which payout (or a stranger), and whether the amount is right
    lines: fc.array(fc.record({ payout: fc.nat({ max: 15 }), amountOff: fc.constantFrom(0, 0, 0, 1, -7, 1000) }), {
      maxLength: 20,
    }),
    order: fc.array(fc.nat(), { maxLength: 20 }),
  });

  it('classifies every line as the rules do, and misses the same payouts', async () => {
    const repository = payouts.app.get(ReconciliationRepository);
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const ours = c.payouts.map((p) => ({
          id: randomUUID(),
          amountFen: p.amountFen,
          settledAt: new Date(PERIOD.from.getTime() + p.settledHour * 3_600_000),
        }));
        const strangers = Array.from({ length: 4 }, () => randomUUID());
        const entries = c.lines.map((l, i) => {
          const payout = ours[l.payout];
          return {
            lineNo: i + 1,
            payoutId: payout?.id ?? strangers[l.payout % 4],
            amountFen: Math.max(1, (payout?.amountFen ?? 999) + l.amountOff),
          };
        });
        // the lines are inserted in a shuffled order: the rules go by line number, not insertion
        for (let i = 0; i < c.order.length && entries.length > 1; i++) {
          const j = c.order[i] % entries.length;
          [entries[0], entries[j]] = [entries[j], entries[0]];
        }
        const expected = classifyStatement(entries, (id) => ours.find((p) => p.id === id)?.amountFen);
        const expectedMissing = missingFromStatement(entries, ours, PERIOD)
          .map((p) => p.id)
          .sort();

        let got: { lineNo: number; class: string; payoutFen: number | null }[] = [];
        let gotMissing: string[] = [];
        // everything in one transaction, rolled back: cases do not see each other's payouts
        await payouts.dataSource
          .transaction(async (tx) => {
            const runId = randomUUID();
            await tx.query(
              `INSERT INTO payout_runs (id, trigger, requested_by, started_at) VALUES ($1, 'finance', 'property', now())`,
              [runId],
            );
            for (const p of ours) {
              await tx.query(
                `INSERT INTO payouts (id, run_id, store_id, idempotency_key, amount_fen, status, created_at, settled_at) VALUES ($1, $2, $3, $6, $4, 'settled', now(), $5)`,
                [p.id, runId, randomUUID(), p.amountFen, p.settledAt, `property-${p.id}`],
              );
            }
            const id = randomUUID();
            await repository.insert(
              tx,
              {
                id,
                uploadedBy: 'property',
                uploadedAt: new Date(),
                periodFrom: PERIOD.from,
                periodTo: PERIOD.to,
                lineCount: entries.length,
              },
              entries.map((e) => ({
                ...e,
                providerReference: 'ref',
                status: 'settled' as const,
                settledAt: PERIOD.from,
              })),
            );
            await repository.classifyLines(tx, id);
            await repository.recordMissing(tx, id, PERIOD.from, PERIOD.to);
            const rows: {
              line_no: number | null;
              payout_id: string;
              class: string;
              payout_amount_fen: string | null;
            }[] = await repository.classifiedLines(tx, id);
            got = rows
              .filter((r) => r.line_no !== null)
              .map((r) => ({
                lineNo: r.line_no!,
                class: r.class,
                payoutFen: r.payout_amount_fen === null ? null : Number(r.payout_amount_fen),
              }))
              .sort((a, b) => a.lineNo - b.lineNo);
            gotMissing = rows
              .filter((r) => r.line_no === null)
              .map((r) => r.payout_id)
              .sort();
            throw new Rollback();
          })
          .catch((e) => {
            if (!(e instanceof Rollback)) throw e;
          });
        expect(got).toEqual(expected);
        expect(gotMissing).toEqual(expectedMissing);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
