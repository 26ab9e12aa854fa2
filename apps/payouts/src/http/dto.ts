import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, Min, ValidateBy } from 'class-validator';
import { accountNumberProblem, PAYOUT_METHODS, PayoutMethod } from '../domain/payout-account-rules';

export class LedgerQuery {
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize = 50;
}

export class ReconciliationPeriodQuery {
  @ApiPropertyOptional({ description: 'start of the statement period (default: its earliest settled-at)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ description: 'end of the statement period (default: its latest settled-at)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class ReconciliationQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'csv']) format:
    'json' | 'csv' = 'json';
}

export class ReconciliationLinesQuery {
  @ApiPropertyOptional({
    enum: ['matched', 'amountMismatch', 'missingFromStatement', 'unknownToUs', 'duplicates'],
    description: 'only the lines of this class',
  })
  @IsOptional()
  @IsIn(['matched', 'amountMismatch', 'missingFromStatement', 'unknownToUs', 'duplicates'])
  class?: string;
}

export class PayoutAccountBody {
  @ApiProperty({ enum: PAYOUT_METHODS }) @IsIn(PAYOUT_METHODS) method!: PayoutMethod;
  @ApiProperty({ description: 'the name the account is held in', example: '李秀兰' })
  @IsString()
  @Length(1, 60)
  @Matches(/\S/, { message: 'accountName must not be blank' })
  accountName!: string;
  @ApiProperty({
    description:
      'bank: 12–19 digits; alipay: a mainland mobile (11 digits from 1) or an email; wechat: a WeChat ID (6–20, a letter first, then letters, digits, _ or -). Shown only masked (****1234).',
    example: '6222021234567890',
  })
  @IsString()
  @Length(1, 100)
  @ValidateBy({
    name: 'payoutAccountNumber',
    validator: {
      // only once the method is known: a bad method is its own field's problem
      validate: (value, args) => {
        const { method } = args!.object as PayoutAccountBody;
        return (
          typeof value !== 'string' ||
          !(PAYOUT_METHODS as readonly unknown[]).includes(method) ||
          accountNumberProblem(method, value) === null
        );
      },
      defaultMessage: (args) =>
        accountNumberProblem((args!.object as PayoutAccountBody).method, String(args!.value)) ??
        'accountNumber is invalid',
    },
  })
  accountNumber!: string;
}

export class PayoutsQuery {
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 20 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize = 20;
}
