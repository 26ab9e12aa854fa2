import { PayoutsInitial1700000000000 } from './1700000000000-payouts-initial';
import { PayoutsLedgerAccounts1700000000001 } from './1700000000001-payouts-ledger-accounts';
import { PayoutsRunsReconciliation1700000000002 } from './1700000000002-payouts-runs-reconciliation';
import { PayoutsAccountsStores1700000000003 } from './1700000000003-payouts-accounts-stores';
import { PayoutsLines1700000000004 } from './1700000000004-payouts-lines';
import { PayoutsOutboxColumns1700000000005 } from './1700000000005-payouts-outbox-columns';

export const payoutsMigrations = [
  PayoutsInitial1700000000000,
  PayoutsLedgerAccounts1700000000001,
  PayoutsRunsReconciliation1700000000002,
  PayoutsAccountsStores1700000000003,
  PayoutsLines1700000000004,
  PayoutsOutboxColumns1700000000005,
];
