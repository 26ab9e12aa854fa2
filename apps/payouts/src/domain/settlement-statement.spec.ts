import { csvField, MalformedStatement, parseStatement } from './settlement-statement';

const HEADER = 'payout_id,provider_reference,amount_fen,status,settled_at';
const ID = '5f0c7a52-1111-4000-8000-000000000001';
const problemsOf = (csv: string) => {
  try {
    parseStatement(csv);
  } catch (e) {
    if (e instanceof MalformedStatement) return e.problems;
    throw e;
  }
  throw new Error('the statement was accepted');
};

describe('settlement statement', () => {
  it('reads a header and lines, CRLF or LF, quoted fields and a final newline', () => {
    const csv = `\uFEFFPayout ID,Provider Reference,Amount (fen),Status,Settled At\r\n${ID},simpay_1,15671,settled,2026-06-01T02:05:00Z\r\n${ID.toUpperCase()},"ref, with ""comma""",1,FAILED,2026-06-01T10:05:00+08:00\r\n`;
    expect(parseStatement(csv)).toEqual([
      {
        lineNo: 2,
        payoutId: ID,
        providerReference: 'simpay_1',
        amountFen: 15671,
        status: 'settled',
        settledAt: new Date('2026-06-01T02:05:00Z'),
      },
      {
        lineNo: 3,
        payoutId: ID,
        providerReference: 'ref, with "comma"',
        amountFen: 1,
        status: 'failed',
        settledAt: new Date('2026-06-01T02:05:00Z'),
      },
    ]);
  });

  it.each([
    ['a wrong header', `payout,ref,amount\n${ID},r,1,settled,2026-06-01T00:00:00Z`, 1, /header must name/],
    ['no lines', `${HEADER}\n`, 1, /no lines/],
    ['too few fields', `${HEADER}\n${ID},r,1,settled`, 2, /expected 5 fields, found 4/],
    [
      'a payout id that is no UUID',
      `${HEADER}\nnot-a-uuid,r,1,settled,2026-06-01T00:00:00Z`,
      2,
      /payout id is not a UUID/,
    ],
    [
      'a fractional amount',
      `${HEADER}\n${ID},r,1,settled,2026-06-01T00:00:00Z\n${ID},r,12.50,settled,2026-06-01T00:00:00Z`,
      3,
      /whole number of fen/,
    ],
    ['a negative amount', `${HEADER}\n${ID},r,-5,settled,2026-06-01T00:00:00Z`, 2, /whole number of fen/],
    [
      'an unknown status',
      `${HEADER}\n${ID},r,5,pending,2026-06-01T00:00:00Z`,
      2,
      /status must be one of settled, failed/,
    ],
    ['a time without offset', `${HEADER}\n${ID},r,5,settled,2026-06-01 00:00`, 2, /ISO 8601/],
    ['an empty reference', `${HEADER}\n${ID}, ,5,settled,2026-06-01T00:00:00Z`, 2, /reference is empty/],
    ['an unclosed quote', `${HEADER}\n${ID},"r,5,settled,2026-06-01T00:00:00Z`, 2, /quoted field is not closed/],
    ['an empty line in the middle', `${HEADER}\n\n${ID},r,5,settled,2026-06-01T00:00:00Z`, 2, /empty/],
  ])('refuses %s, naming the line', (_, csv, line, reason) => {
    const [first] = problemsOf(csv);
    expect(first.line).toBe(line);
    expect(first.reason).toMatch(reason);
  });

  it('names every bad line, up to twenty', () => {
    const bad = Array.from({ length: 30 }, () => `${ID},r,x,settled,2026-06-01T00:00:00Z`);
    const problems = problemsOf([HEADER, `${ID},r,1,settled,2026-06-01T00:00:00Z`, ...bad].join('\n'));
    expect(problems).toHaveLength(20);
    expect(problems.map((p) => p.line).slice(0, 3)).toEqual([3, 4, 5]);
  });

  it('finds the columns by name in any order, and ignores the ones it does not need', () => {
    const csv = `Settled At,Status,Fee (fen),Amount (fen),Provider Reference,Payout ID\n2026-06-01T02:05:00Z,settled,3,15671,simpay_1,${ID}\n`;
    expect(parseStatement(csv)).toEqual([
      {
        lineNo: 2,
        payoutId: ID,
        providerReference: 'simpay_1',
        amountFen: 15671,
        status: 'settled',
        settledAt: new Date('2026-06-01T02:05:00Z'),
      },
    ]);
  });

  it('names the columns a header is missing, or names twice', () => {
    expect(problemsOf(`payout_id,amount_fen,status\n${ID},1,settled`)[0]).toEqual({
      line: 1,
      reason: expect.stringContaining('provider_reference, settled_at missing'),
    });
    expect(problemsOf(`${HEADER},status\n${ID},r,1,settled,2026-06-01T00:00:00Z,settled`)[0].reason).toContain(
      'status named twice',
    );
  });
});

describe('settlement statement at its edges', () => {
  const line = (reference: string) => `${HEADER}\n${ID},${reference},5,settled,2026-06-01T00:00:00Z`;

  it('takes a provider reference of 200 characters and refuses one of 201', () => {
    expect(parseStatement(line('r'.repeat(200)))[0].providerReference).toHaveLength(200);
    expect(problemsOf(line('r'.repeat(201)))[0]).toEqual({
      line: 2,
      reason: 'provider reference is longer than 200 characters',
    });
  });

  it('says what it got when a field is wrong, trimmed of spaces', () => {
    expect(problemsOf(`${HEADER}\n nope ,r,5,settled,2026-06-01T00:00:00Z`)[0].reason).toBe(
      'payout id is not a UUID (got "nope")',
    );
    expect(problemsOf(`${HEADER}\n${ID},r, 5x ,settled,2026-06-01T00:00:00Z`)[0].reason).toBe(
      'amount must be a whole number of fen (got "5x")',
    );
    expect(problemsOf(`${HEADER}\n${ID},r,5, Pending ,2026-06-01T00:00:00Z`)[0].reason).toBe(
      'status must be one of settled, failed (got "Pending")',
    );
    expect(problemsOf(`${HEADER}\n${ID},r,5,settled, tomorrow `)[0].reason).toBe(
      'settled at must be an ISO 8601 time with its offset (got "tomorrow")',
    );
    expect(parseStatement(`${HEADER}\n ${ID} , r , 5 , SETTLED , 2026-06-01T00:00:00Z `)[0]).toMatchObject({
      payoutId: ID,
      providerReference: 'r',
      status: 'settled',
    });
  });

  it('names what is wrong with a header exactly, and a statement with nothing in it', () => {
    expect(problemsOf('')[0]).toEqual({
      line: 1,
      reason: `the header must name the columns payout_id, provider_reference, amount_fen, status, settled_at (in any order; other columns are ignored): payout_id, provider_reference, amount_fen, status, settled_at missing`,
    });
    expect(problemsOf(`${HEADER},status`)[0].reason).toMatch(/: status named twice$/);
    const thrown = (() => {
      try {
        parseStatement(line('r'.repeat(201)));
      } catch (e) {
        return e as Error;
      }
    })();
    expect(thrown?.message).toBe('line 2: provider reference is longer than 200 characters');
  });

  it('takes a line of spaces for an empty line', () => {
    expect(problemsOf(`${HEADER}\n , , , , \n${ID},r,5,settled,2026-06-01T00:00:00Z`)[0]).toEqual({
      line: 2,
      reason: 'the line is empty',
    });
  });

  it('quotes a CSV field only when it must', () => {
    expect([
      csvField(null),
      csvField(12),
      csvField('plain'),
      csvField('a,b'),
      csvField('say "hi"'),
      csvField('two\nlines'),
      csvField('cr\rhere'),
    ]).toEqual(['', '12', 'plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"']);
  });
});
