import { IllegalTransitionError } from '@cc/platform';
import {
  acceptanceOf,
  AFTER_SALES_STATUSES,
  AFTER_SALES_TRANSITIONS,
  AfterSalesAction,
  afterSalesLife,
  AfterSalesStatus,
} from './after-sales-states';

/** Every allowed (status, action) → status, written out: a change to the table must change this on purpose. */
const ALLOWED: [AfterSalesStatus, AfterSalesAction, AfterSalesStatus][] = [
  ['open', 'accept-refund', 'refunded'],
  ['open', 'accept-return', 'awaiting-return'],
  ['open', 'reject', 'rejected'],
  ['awaiting-return', 'return-received', 'refunded'],
];

describe('the after-sales request’s life', () => {
  it.each(ALLOWED)('lets a request that is %s take %s and become %s', (from, action, to) => {
    expect(afterSalesLife.next(from, action)).toBe(to);
  });

  it('refuses every other (status, action) pair', () => {
    const allowed = new Set(ALLOWED.map(([from, action]) => `${from} ${action}`));
    for (const status of AFTER_SALES_STATUSES) {
      for (const action of Object.keys(AFTER_SALES_TRANSITIONS) as AfterSalesAction[]) {
        if (allowed.has(`${status} ${action}`)) continue;
        expect(() => afterSalesLife.next(status, action)).toThrow(IllegalTransitionError);
      }
    }
  });

  it('starts open and ends refunded or rejected', () => {
    expect(afterSalesLife.initial).toEqual(['open']);
    expect(afterSalesLife.final).toEqual(['refunded', 'rejected']);
  });

  it('refunds a refund-only request when accepted, and waits for the parcel of a return', () => {
    expect(acceptanceOf('refund-only')).toBe('accept-refund');
    expect(acceptanceOf('return-and-refund')).toBe('accept-return');
  });
});
