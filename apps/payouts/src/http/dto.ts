import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';

export class LedgerQuery {
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize = 50;
}

export class ReconciliationPeriodQuery {
  @ApiPropertyOptional({ description: 'start of the statement period (default: its earliest settled-at)' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ description: 'end of the statement period (default: its latest settled-at)' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

export class ReconciliationQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' }) @IsOptional() @IsIn(['json', 'csv']) format: 'json' | 'csv' = 'json';
}

export class ReconciliationLinesQuery {
  @ApiPropertyOptional({ enum: ['matched', 'amountMismatch', 'missingFromStatement', 'unknownToUs', 'duplicates'], description: 'only the lines of this class' })
  @IsOptional()
  @IsIn(['matched', 'amountMismatch', 'missingFromStatement', 'unknownToUs', 'duplicates'])
  class?: string;
}
