import { maskForLog } from '@cc/platform';
import { accountNumberProblem, maskAccountNumber, maskedAccount, sameAccount } from './payout-account-rules';

describe('payout account rules', () => {
  it.each([
    ['bank', '622202123456'],
    ['bank', '6222021234567890123'],
    ['bank', '6222021234567891'], // not Luhn-valid: passbook accounts are not, and are accepted
    ['alipay', '13812345678'],
    ['alipay', 'li.xiulan@example.com'],
    ['wechat', 'wxid_abc'],
    ['wechat', 'Li-Xiulan_1988'],
    ['wechat', 'a'.padEnd(20, 'b')],
  ] as const)('accepts a %s account %s', (method, number) => {
    expect(accountNumberProblem(method, number)).toBeNull();
  });

  it.each([
    ['bank', '62220212345', /12 to 19 digits/], // 11 digits
    ['bank', '62220212345678901234', /12 to 19 digits/], // 20
    ['bank', '6222 0212 3456 7890', /12 to 19 digits/],
    ['bank', '622202123456789x', /12 to 19 digits/],
    ['alipay', '23812345678', /mainland mobile/],
    ['alipay', '1381234567', /mainland mobile/],
    ['alipay', '+8613812345678', /mainland mobile/],
    ['alipay', 'li@localhost', /email/],
    ['alipay', `${'x'.repeat(95)}@a.com`, /email/],
    ['wechat', '1abcdef', /letter first/],
    ['wechat', 'abcde', /6 to 20/],
    ['wechat', 'a'.padEnd(21, 'b'), /6 to 20/],
    ['wechat', 'abc.def', /letters, digits/],
  ] as const)('refuses a %s account %s, naming the rule and never the number', (method, number, rule) => {
    const problem = accountNumberProblem(method, number);
    expect(problem).toMatch(rule);
    expect(problem).toMatch(/^accountNumber/);
    expect(problem).not.toContain(number);
  });

  it('shows only the last four characters', () => {
    expect(maskAccountNumber('6222021234567890')).toBe('****7890');
    expect(maskedAccount({ method: 'alipay', accountName: '李秀兰', accountNumber: '13812345678' })).toEqual({
      method: 'alipay',
      accountName: '李秀兰',
      accountNumber: '****5678',
    });
  });

  it('is the same account only when method, name and number are', () => {
    const a = { method: 'bank', accountName: '李秀兰', accountNumber: '6222021234567890' } as const;
    expect(sameAccount(a, { ...a })).toBe(true);
    expect(sameAccount(a, { ...a, accountNumber: '6222021234567891' })).toBe(false);
    expect(sameAccount(a, { ...a, accountName: '李秀' })).toBe(false);
  });

  it('is masked by the logger wherever an account number is logged under its name (a provider request, a payout)', () => {
    const request = {
      payoutId: 'p',
      amountFen: 100,
      account: { method: 'bank', accountName: 'x', accountNumber: '6222021234567890' },
    };
    const logged = JSON.stringify(maskForLog({ request, payouts: [{ account: request.account }] }));
    expect(logged).not.toContain('6222021234567890');
    expect(logged).toContain('"accountNumber":"****7890"');
  });
});

describe('payout accounts at their edges', () => {
  it('is another account on another method, even with the same name and number', () => {
    const a = { method: 'alipay', accountName: '李秀兰', accountNumber: '13800001111' } as const;
    expect(sameAccount(a, { ...a, method: 'wechat' })).toBe(false);
  });

  it('takes an Alipay email of up to 100 characters, not longer', () => {
    const email = (n: number) => `li@${'b'.repeat(n - 'li@.com'.length)}.com`;
    expect(accountNumberProblem('alipay', email(100))).toBeNull();
    expect(accountNumberProblem('alipay', email(101))).toMatch(/mainland mobile number/);
  });
});
