// Which pickup slot a parcel takes (docs/design.md, “Fresh produce on time”), as pure functions: the service feeds them the
// clock, the timetable and the township's board of slots and parcels, and books what they choose.
import { localDate, nextDate, zonedToUtc } from './local-time';

/** A cold-chain van takes every kind of parcel; chilled parcels ride nothing else. */
export const COURIER_TYPES = ['standard', 'cold-chain'] as const;
export type CourierType = (typeof COURIER_TYPES)[number];

/** One courier round of the daily timetable (the same in every township). */
export interface TimetableSlot {
  /** Local HH:MM. */
  time: string;
  courier: CourierType;
  /** Parcels the round takes from one township. */
  capacity: number;
}

export interface CandidateSlot extends Omit<TimetableSlot, 'time'> {
  startsAt: Date;
}

/** Every timetable slot starting at or after `from` and no later than `until`, earliest first, day by local day. */
export function candidateSlots(
  from: Date,
  until: Date,
  timetable: readonly TimetableSlot[],
  zone: string,
): CandidateSlot[] {
  const slots: CandidateSlot[] = [];
  for (let date = localDate(from, zone); zonedToUtc(date, '00:00', zone) <= until; date = nextDate(date)) {
    for (const { time, courier, capacity } of timetable) {
      const startsAt = zonedToUtc(date, time, zone);
      if (startsAt > until) return slots;
      if (startsAt >= from) slots.push({ startsAt, courier, capacity });
    }
  }
  return slots;
}

/** A slot on a township's board; a slot nobody booked yet is empty, with the timetable's capacity and courier. */
export interface BoardSlot {
  startsAt: number;
  courier: CourierType;
  capacity: number;
  booked: number;
  /** Its pickup run has left: nothing joins it and nothing leaves it. */
  closed: boolean;
  /** The scheduled parcels riding it (ids), which the planner may move. */
  parcels: string[];
}

/** What the planner knows of a parcel: when it can go, by when it must, how perishable it is. */
export interface BoardParcel {
  id: string;
  coldChain: boolean;
  readyAt: number;
  deadlineAt: number;
  /** null: keeps as long as anyone waits. */
  shelfLifeHours: number | null;
}

export interface Board {
  now: number;
  /** Earliest first. */
  slots: BoardSlot[];
  parcels: ReadonlyMap<string, BoardParcel>;
}

export interface SlotMove {
  parcelId: string;
  from: number;
  to: number;
}

/** Where the new parcel goes, and which scheduled parcels move to make room (in the order to apply them). */
export interface Placement {
  slot: number;
  moves: SlotMove[];
}

export const hasRoom = (slot: Pick<BoardSlot, 'booked' | 'capacity' | 'closed'>) =>
  !slot.closed && slot.booked < slot.capacity;

export function fits(parcel: BoardParcel, slot: BoardSlot, now: number): boolean {
  return (
    !slot.closed &&
    slot.startsAt >= now &&
    slot.startsAt >= parcel.readyAt &&
    slot.startsAt <= parcel.deadlineAt &&
    (!parcel.coldChain || slot.courier === 'cold-chain')
  );
}

/** Shorter shelf life first; between equals, the earlier deadline. Negative: `a` is more urgent. */
export function urgency(a: BoardParcel, b: BoardParcel): number {
  const shelf = (p: BoardParcel) => p.shelfLifeHours ?? Number.POSITIVE_INFINITY;
  return shelf(a) - shelf(b) || a.deadlineAt - b.deadlineAt;
}

/**
 * The earliest slot with room that meets the parcel's deadline. When there is none, the parcel
 * may take the place of a less perishable one that can move to another slot still within its own
 * deadline, which may in turn take the place of a still less perishable one (an augmenting path:
 * nobody already scheduled ever loses its pickup). Null: no slot can take it in time.
 */
export function placeParcel(board: Board, parcel: BoardParcel): Placement | null {
  const tried = new Set<string>();
  const place = (p: BoardParcel): Placement | null => {
    const open = board.slots.filter((s) => fits(p, s, board.now));
    const roomy = open.find(hasRoom);
    if (roomy) return { slot: roomy.startsAt, moves: [] };
    for (const slot of open) {
      const movable = slot.parcels
        .map((id) => board.parcels.get(id))
        .filter((q): q is BoardParcel => !!q && !tried.has(q.id) && urgency(p, q) < 0)
        .sort((a, b) => urgency(b, a)); // the least perishable makes way first
      for (const q of movable) {
        tried.add(q.id);
        const elsewhere = place(q);
        if (elsewhere)
          return {
            slot: slot.startsAt,
            moves: [...elsewhere.moves, { parcelId: q.id, from: slot.startsAt, to: elsewhere.slot }],
          };
      }
    }
    return null;
  };
  return place(parcel);
}

/** The board after a placement (the parcel added, the moves made); for callers that plan several parcels in a row. */
export function applyPlacement(board: Board, parcel: BoardParcel, placement: Placement): Board {
  const slots = board.slots.map((s) => ({ ...s, parcels: [...s.parcels] }));
  const at = (startsAt: number) => slots.find((s) => s.startsAt === startsAt)!;
  for (const move of placement.moves) {
    const from = at(move.from);
    from.parcels = from.parcels.filter((id) => id !== move.parcelId);
    from.booked--;
    at(move.to).parcels.push(move.parcelId);
    at(move.to).booked++;
  }
  at(placement.slot).parcels.push(parcel.id);
  at(placement.slot).booked++;
  return { ...board, slots, parcels: new Map([...board.parcels, [parcel.id, parcel]]) };
}
