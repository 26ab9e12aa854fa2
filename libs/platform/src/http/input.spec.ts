import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
  validateSync,
} from 'class-validator';
import fc from 'fast-check';
import { bodyProblem, jsonNestsDeeperThan } from './body';
import { controlCharacterProblem } from './input.guard';
import { brokenRules } from './problem';

describe('jsonNestsDeeperThan', () => {
  const depthOf = (v: unknown): number =>
    v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;

  it('agrees with the parsed depth of any JSON, strings with brackets and escapes included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
        const text = Buffer.from(JSON.stringify(value));
        expect(jsonNestsDeeperThan(text, max)).toBe(depthOf(value) > max);
      }),
    );
  });

  it('counts no bracket inside a string, even after an escaped quote', () => {
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ a: '\\"[[[[' + '{'.repeat(50) })), 1)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('['.repeat(10_000)), 32)).toBe(true);
  });
});

describe('controlCharacterProblem', () => {
  it('names the first field holding a control character, at any depth, keys included', () => {
    expect(controlCharacterProblem({ name: 'ok', lines: [{ productId: 'a\u0000' }] }, 'body')).toEqual({
      field: 'lines.0.productId',
      messages: ['lines.0.productId must not contain control characters (U+0000 at character 2)'],
    });
    expect(controlCharacterProblem({ ['a\u001fb']: 1 }, 'body')?.field).toBe('aU+001Fb');
    expect(controlCharacterProblem('header\nline\u0007', 'body')?.messages[0]).toMatch(
      /U\+0007 at line 2, character 5/,
    );
  });

  it('lets tab, line feed, carriage return and everything printable through', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        // eslint-disable-next-line no-control-regex -- the guard's own character class
        const strip = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
        const clean = (v: unknown): unknown =>
          typeof v === 'string'
            ? strip(v)
            : Array.isArray(v)
              ? v.map(clean)
              : v !== null && typeof v === 'object'
                ? Object.fromEntries(Object.entries(v).map(([k, c]) => [strip(k), clean(c)]))
                : v;
        expect(controlCharacterProblem(clean(value), 'body')).toBeUndefined();
        expect(controlCharacterProblem(value, 'body') === undefined).toBe(
          JSON.stringify(clean(value)) === JSON.stringify(value),
        );
      }),
    );
    expect(controlCharacterProblem({ note: 'a\tb\r\nc 猕猴桃 𝒦' }, 'body')).toBeUndefined();
  });
});

describe('brokenRules', () => {
  class Line {
    @IsInt() @Min(1) @Max(1000) quantity!: number;
  }
  class Checkout {
    @IsArray() @ValidateNested({ each: true }) @Type(() => Line) @ArrayMinSize(1) @ArrayMaxSize(100) lines!: Line[];
    @IsString() @Length(1, 200) paymentToken!: string;
  }
  const rulesOf = (input: object) =>
    Object.fromEntries(
      validateSync(plainToInstance(Checkout, input)).map((e) => [e.property, brokenRules(e, e.property)]),
    );

  it('says a missing value is required, once, without the rules of a present one', () => {
    expect(rulesOf({})).toEqual({ lines: ['lines is required'], paymentToken: ['paymentToken is required'] });
  });
  it('names the kind a value of the wrong kind should have, not its bounds', () => {
    expect(rulesOf({ lines: 'x', paymentToken: 5 })).toEqual({
      lines: ['lines must be an array'],
      paymentToken: ['paymentToken must be a string'],
    });
    expect(rulesOf({ lines: [], paymentToken: null })).toEqual({
      lines: ['lines must contain at least 1 elements'],
      paymentToken: ['paymentToken must be a string'],
    });
  });
  it('names a bound a value of the right kind broke', () => {
    expect(rulesOf({ lines: [{ quantity: 1 }], paymentToken: '' })).toEqual({
      paymentToken: ['paymentToken must be longer than or equal to 1 characters'],
    });
  });
});

describe('bodyProblem', () => {
  it('turns body-parser failures into plain problems and leaves other errors alone', () => {
    expect(bodyProblem({ type: 'entity.too.large', status: 413 }, 1024)?.getStatus()).toBe(413);
    const parse = bodyProblem(
      { type: 'entity.parse.failed', status: 400, message: 'Unexpected token } in JSON at position 7' },
      1024,
    );
    expect(parse?.getResponse()).toEqual({
      detail: 'the request body is not valid JSON (a JSON object or array is expected)',
    });
    expect(bodyProblem({ type: 'encoding.unsupported', status: 415, encoding: 'x-zip' }, 1024)?.getStatus()).toBe(415);
    expect(bodyProblem({ type: 'stream.encoding.set', status: 500 }, 1024)).toBeUndefined();
    expect(bodyProblem(new Error('boom'), 1024)).toBeUndefined();
  });
});
