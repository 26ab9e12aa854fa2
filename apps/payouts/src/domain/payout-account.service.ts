// A store's payout account: set by her seller or ops, every change a new version with an audit
// row; shown, logged and audited with the number masked.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { badRequest, canActForStore, Clock, forbidden, notFound, Principal } from '@cc/platform';
import { LOGGER } from '@cc/service';
import { PayoutsConfig } from '../config';
import { PayoutAccount, PayoutAccountRepository } from '../persistence/payout-account.repository';
import { StoreRepository } from '../persistence/store.repository';
import {
  accountNumberProblem,
  maskAccountNumber,
  maskedAccount,
  PayoutAccountDetails,
  sameAccount,
} from './payout-account-rules';
import { payableFrom, payoutHold } from './payout-holds';

@Injectable()
export class PayoutAccountService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: PayoutAccountRepository,
    private readonly stores: StoreRepository,
    private readonly clock: Clock,
    private readonly config: PayoutsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Sets the account; the same details again change nothing (a retried PUT does not restart the hold). */
  async set(user: Principal, storeId: string, details: PayoutAccountDetails) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller sets only her own store’s payout account');
    // the request validation applied the same rule; this keeps the service safe for any caller
    const problem = accountNumberProblem(details.method, details.accountNumber);
    if (problem)
      throw badRequest(`request is invalid: accountNumber`, {
        errors: [{ field: 'accountNumber', messages: [problem] }],
      });
    const changed = await this.dataSource.transaction(async (tx) => {
      await this.accounts.lockStore(tx, storeId);
      const current = await this.accounts.current(tx, storeId);
      if (current && sameAccount(current, details)) return null;
      const account: PayoutAccount = {
        storeId,
        version: (current?.version ?? 0) + 1,
        ...details,
        changedBy: user.sub,
        changedAt: this.clock.now(),
      };
      await this.accounts.insertVersion(tx, account, {
        changedByRole: user.role,
        from: current && maskedAccount(current),
        to: maskedAccount(details),
      });
      return { account, from: current };
    });
    if (changed) {
      const { account, from } = changed;
      // masked here, not left to the logger: nothing unmasked is handed to it at all
      this.logger.info(
        {
          storeId,
          version: account.version,
          method: account.method,
          from: from && maskAccountNumber(from.accountNumber),
          to: maskAccountNumber(account.accountNumber),
          changedBy: user.sub,
        },
        'payout account changed; payouts to it are held for PAYOUT_ACCOUNT_HOLD_HOURS',
      );
    }
    return this.view(storeId);
  }

  async get(user: Principal, storeId: string) {
    if (!canActForStore(user, storeId)) throw forbidden('a seller sees only her own store’s payout account');
    return this.view(storeId);
  }

  private async view(storeId: string) {
    const manager = this.dataSource.manager;
    const [account, changes, store] = await Promise.all([
      this.accounts.current(manager, storeId),
      this.accounts.changes(manager, storeId),
      this.stores.find(manager, storeId),
    ]);
    if (!account) throw notFound(`the payout account of store ${storeId}`);
    const hold = payoutHold(
      { storeStatus: store?.status ?? null, accountChangedAt: account.changedAt },
      { now: this.clock.now(), accountHoldHours: this.config.PAYOUT_ACCOUNT_HOLD_HOURS },
    );
    return {
      storeId,
      account: {
        ...maskedAccount(account),
        version: account.version,
        changedBy: account.changedBy,
        changedAt: account.changedAt.toISOString(),
      },
      /** Payout runs pay to this account from then on (PAYOUT_ACCOUNT_HOLD_HOURS after the change). */
      payableFrom: payableFrom(account.changedAt, this.config.PAYOUT_ACCOUNT_HOLD_HOURS).toISOString(),
      /** Why a payout run would hold her money now, or null. */
      payoutsHeld: hold,
      changes: changes.map((c) => ({
        version: c.version,
        changedBy: c.changedBy,
        changedByRole: c.changedByRole,
        changedAt: c.changedAt.toISOString(),
        from: c.from,
        to: c.to,
      })),
    };
  }
}
