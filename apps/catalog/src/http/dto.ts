import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  NotEquals,
  ValidateIf,
} from 'class-validator';
import { CATEGORIES, Category, MAINLAND_MOBILE, STORE_STATUSES, StoreStatus } from '@cc/contracts';

const PHONE_MESSAGE =
  'contactPhone must be a mainland mobile number: 11 digits starting with 1, optionally +86 before it';

export class CreateStoreDto {
  @ApiProperty({ example: 'Auntie Li’s Kiwi Orchard' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'zhouzhi-louguan' }) @IsString() @Length(1, 100) township!: string;
  @ApiPropertyOptional({ example: 'Kiwis from the slopes of the Qinling' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  description?: string;
  @ApiPropertyOptional({ example: '13812345678' })
  @IsOptional()
  @IsString()
  @Matches(MAINLAND_MOBILE, { message: PHONE_MESSAGE })
  contactPhone?: string;
}

export class UpdateStoreDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) description?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(MAINLAND_MOBILE, { message: PHONE_MESSAGE })
  contactPhone?: string;
  @ApiPropertyOptional({ description: 'ops only: moves her pickups to that township’s rounds' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  township?: string;
}

export class StoreListQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 100) township?: string;
  @ApiPropertyOptional({ enum: STORE_STATUSES }) @IsOptional() @IsIn(STORE_STATUSES) status?: StoreStatus;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize = 50;
}

export class SuspendStoreDto {
  @ApiProperty({ example: 'sold honey as wild that was not; under review' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}

/** Fields left out stay as they are; null puts a perishability override back to its category's default. */
export class UpdateProductDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 2000) description?: string;
  @ApiPropertyOptional({ description: 'price in fen; orders placed before keep theirs' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceFen?: number;
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  pickupWithinHours?: number | null;
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(24 * 365 * 5)
  shelfLifeHours?: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'handicraft only' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(0)
  @Max(365)
  leadTimeDays?: number | null;
}

export class CreateProductDto {
  @ApiProperty({ example: 'Red-heart kiwi, 5 kg box' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: CATEGORIES }) @IsIn(CATEGORIES) category!: Category;
  @ApiProperty({ example: 6800, description: 'price in fen' }) @IsInt() @Min(0) @Max(100_000_000) priceFen!: number;
  @ApiProperty({ example: 40, description: 'initial on-hand units' }) @IsInt() @Min(0) @Max(1_000_000) stock!: number;
  @ApiPropertyOptional({
    example: 24,
    description:
      'hours after payment by which a courier must collect it (default: by category, docs/design.md, “Fresh produce on time”)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  pickupWithinHours?: number;
  @ApiPropertyOptional({
    example: 72,
    description: 'hours it keeps once paid; shorter rides first when pickup slots are scarce (default: by category)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 365 * 5)
  shelfLifeHours?: number;
  @ApiPropertyOptional({ example: 5, description: 'handicraft only: made-to-order days before it can be collected' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(365)
  leadTimeDays?: number;
}

export class StockAdjustmentDto {
  @ApiProperty({ example: -2, description: 'change to on-hand units (non-zero)' })
  @IsInt()
  @NotEquals(0)
  @Min(-1_000_000)
  @Max(1_000_000)
  delta!: number;
  @ApiProperty({ example: 'two boxes bruised in the rain' }) @IsString() @Length(1, 500) reason!: string;
}

export class ProductListQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() storeId?: string;
  @ApiPropertyOptional({ enum: CATEGORIES }) @IsOptional() @IsIn(CATEGORIES) category?: Category;
  @ApiPropertyOptional({ description: 'comma-separated product ids (at most 100)' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value))
  @IsUUID('all', { each: true })
  @ArrayMaxSize(100)
  ids?: string[];
  @ApiPropertyOptional({ description: 'true: archived products too (the store’s seller, ops)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeArchived?: 'true' | 'false';
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize = 50;
}
