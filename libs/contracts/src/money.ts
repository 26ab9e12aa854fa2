// Money is integer fen (1 yuan = 100 fen) everywhere. These helpers refuse anything else.

export class MoneyError extends Error {}

export function assertFen(value: number, name = 'amount'): number {
  if (!Number.isSafeInteger(value)) throw new MoneyError(`${name} must be a whole number of fen, got ${value}`);
  return value;
}

export function sumFen(values: readonly number[]): number {
  return assertFen(
    values.reduce((total, v) => total + assertFen(v), 0),
    'sum',
  );
}

export function lineTotalFen(unitPriceFen: number, quantity: number): number {
  assertFen(unitPriceFen, 'unitPriceFen');
  if (!Number.isSafeInteger(quantity) || quantity <= 0)
    throw new MoneyError(`quantity must be a positive integer, got ${quantity}`);
  return assertFen(unitPriceFen * quantity, 'line total');
}

/**
 * Commission on an amount at `bps` basis points, rounded half up to the fen. The seller's
 * share is always `amount - commission`, so the two parts add back to the amount exactly and
 * no fen is ever lost to rounding.
 */
export function splitCommission(amountFen: number, bps: number): { commissionFen: number; sellerShareFen: number } {
  assertFen(amountFen, 'amountFen');
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000)
    throw new MoneyError(`commission must be 0..10000 bps, got ${bps}`);
  const sign = amountFen < 0 ? -1 : 1;
  const abs = Math.abs(amountFen);
  // exact integer arithmetic: abs * bps stays well inside 2^53 for any real order
  const commissionFen = sign * Math.floor((abs * bps + 5_000) / 10_000);
  return { commissionFen, sellerShareFen: amountFen - commissionFen };
}

export function formatYuan(fen: number): string {
  assertFen(fen);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
