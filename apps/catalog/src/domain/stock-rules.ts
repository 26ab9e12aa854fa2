// Pure stock decisions: whether an order's lines can all be reserved, and what each movement does.

export interface StockLevel {
  id: string;
  storeId: string;
  onHand: number;
  reserved: number;
}

export interface WantedLine {
  productId: string;
  quantity: number;
}

export type ReservationDecision =
  | { ok: true; lines: WantedLine[] }
  | {
      ok: false;
      reason: 'unknown-product' | 'store-mismatch' | 'insufficient-stock';
      lines: { productId: string; requested: number; available: number }[];
    };

export const available = (p: StockLevel) => p.onHand - p.reserved;

/** Merges repeated products, so one order asking twice for the same product is judged on the sum. */
export function mergeLines(lines: readonly WantedLine[]): WantedLine[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.productId, (merged.get(l.productId) ?? 0) + l.quantity);
  return [...merged]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => a.productId.localeCompare(b.productId));
}

/** All lines or none: any line that cannot be met rejects the whole reservation. */
export function decideReservation(
  storeId: string,
  wanted: readonly WantedLine[],
  levels: readonly StockLevel[],
): ReservationDecision {
  const lines = mergeLines(wanted);
  const byId = new Map(levels.map((p) => [p.id, p]));
  const missing = lines.filter((l) => !byId.has(l.productId));
  if (missing.length)
    return {
      ok: false,
      reason: 'unknown-product',
      lines: missing.map((l) => ({ productId: l.productId, requested: l.quantity, available: 0 })),
    };
  const foreign = lines.filter((l) => byId.get(l.productId)!.storeId !== storeId);
  if (foreign.length)
    return {
      ok: false,
      reason: 'store-mismatch',
      lines: foreign.map((l) => ({ productId: l.productId, requested: l.quantity, available: 0 })),
    };
  const short = lines.filter((l) => available(byId.get(l.productId)!) < l.quantity);
  if (short.length)
    return {
      ok: false,
      reason: 'insufficient-stock',
      lines: short.map((l) => ({
        productId: l.productId,
        requested: l.quantity,
        available: Math.max(0, available(byId.get(l.productId)!)),
      })),
    };
  return { ok: true, lines };
}

/** An adjustment may not take on-hand stock below zero or below what is reserved. */
export function checkAdjustment(level: StockLevel, delta: number): string | null {
  if (!Number.isInteger(delta) || delta === 0) return 'delta must be a non-zero integer';
  if (level.onHand + delta < 0) return `on-hand stock would fall below zero (${level.onHand} on hand)`;
  if (level.onHand + delta < level.reserved)
    return `on-hand stock would fall below the ${level.reserved} units reserved for open orders`;
  return null;
}
