// Column helpers shared by the services' entities.

/** bigint columns (money in fen, counters) read as JS numbers: safe to 2^53, far above any real amount. */
export const bigintAsNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };
