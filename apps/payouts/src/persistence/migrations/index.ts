import { PayoutsInitial1700000000000 } from './1700000000000-payouts-initial';

export const payoutsMigrations = [PayoutsInitial1700000000000];
