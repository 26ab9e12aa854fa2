// Where a store's money goes: a bank account, an Alipay or a WeChat account. The rules for each
// method's account number, and how a number is shown: only ever its last four characters.

export const PAYOUT_METHODS = ['bank', 'alipay', 'wechat'] as const;
export type PayoutMethod = (typeof PAYOUT_METHODS)[number];

export interface PayoutAccountDetails {
  method: PayoutMethod;
  accountName: string;
  accountNumber: string;
}

// Bank: 12–19 digits. No Luhn check: UnionPay debit cards pass it, but the passbook and
// corporate accounts many rural sellers are paid into do not, and a mistyped number costs
// only a refused payout, whose money goes back to available.
const BANK_NUMBER = /^\d{12,19}$/;
/** A mainland mobile: 11 digits from 1 (the Alipay login of most sellers). */
const MAINLAND_MOBILE = /^1\d{10}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/;
/** WeChat's own rule for a WeChat ID: 6–20 characters, a letter first, then letters, digits, _ or -. */
const WECHAT_ID = /^[A-Za-z][A-Za-z0-9_-]{5,19}$/;

/** Why `accountNumber` is not an account of `method`, or null when it is. Never quotes the number. */
export function accountNumberProblem(method: PayoutMethod, accountNumber: string): string | null {
  switch (method) {
    case 'bank':
      return BANK_NUMBER.test(accountNumber) ? null : 'accountNumber of a bank account must be 12 to 19 digits';
    case 'alipay':
      return MAINLAND_MOBILE.test(accountNumber) || (accountNumber.length <= 100 && EMAIL.test(accountNumber))
        ? null
        : 'accountNumber of an Alipay account must be a mainland mobile number (11 digits from 1) or an email address';
    case 'wechat':
      return WECHAT_ID.test(accountNumber)
        ? null
        : 'accountNumber of a WeChat account must be a WeChat ID: 6 to 20 letters, digits, _ or -, a letter first';
  }
}

/** `6222021234567890` → `****7890`: the form in every answer, log and audit row. */
export const maskAccountNumber = (accountNumber: string): string => `****${accountNumber.slice(-4)}`;

/** The account as anyone is shown it. */
export const maskedAccount = (a: PayoutAccountDetails) => ({
  method: a.method,
  accountName: a.accountName,
  accountNumber: maskAccountNumber(a.accountNumber),
});

export const sameAccount = (a: PayoutAccountDetails, b: PayoutAccountDetails) =>
  a.method === b.method && a.accountName === b.accountName && a.accountNumber === b.accountNumber;
