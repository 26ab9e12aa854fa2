import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Min } from 'class-validator';

export class RedriveDto {
  @Type(() => Number) @IsInt() @Min(0) partition!: number;
  @IsString() @Matches(/^\d+$/, { message: 'offset must be a Kafka offset (digits)' }) offset!: string;
}

export class LoginDto {
  @IsString() @Length(10, 4000) token!: string;
}

export class ParkDto extends RedriveDto {
  @IsString() @Length(1, 500) reason!: string;
}

export class RedriveAllDto {
  /** Only dead letters of this event type. */
  @IsOptional() @IsString() @Length(1, 100) type?: string;
  /** Only those whose error contains this text. */
  @IsOptional() @IsString() @Length(1, 200) error?: string;
}

export class StatementUploadDto {
  /** The provider's settlement statement, as the file holds it (CSV). */
  @IsString() @Length(1, 20_000_000) csv!: string;
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
}

export class ReconciliationLinesDto {
  @IsOptional()
  @IsIn(['matched', 'amountMismatch', 'missingFromStatement', 'unknownToUs', 'duplicates'])
  class?: string;
}
