// County local time lives in the platform library (payouts schedules on it too); fulfillment's
// modules keep importing it from here.
export { localDate, localTime, nextDate, zonedToUtc } from '@cc/platform';
