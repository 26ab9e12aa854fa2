import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min, NotEquals } from 'class-validator';
import { CATEGORIES, Category } from '@cc/contracts';

export class CreateStoreDto {
  @ApiProperty({ example: 'Auntie Li’s Kiwi Orchard' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ example: 'zhouzhi-louguan' }) @IsString() @Length(1, 100) township!: string;
}

export class CreateProductDto {
  @ApiProperty({ example: 'Red-heart kiwi, 5 kg box' }) @IsString() @Length(1, 200) name!: string;
  @ApiProperty({ enum: CATEGORIES }) @IsIn(CATEGORIES) category!: Category;
  @ApiProperty({ example: 6800, description: 'price in fen' }) @IsInt() @Min(0) @Max(100_000_000) priceFen!: number;
  @ApiProperty({ example: 40, description: 'initial on-hand units' }) @IsInt() @Min(0) @Max(1_000_000) stock!: number;
  @ApiPropertyOptional({ example: 24, description: 'hours after payment by which a courier must collect it (default: by category, DESIGN §4)' })
  @IsOptional() @IsInt() @Min(1) @Max(24 * 365) pickupWithinHours?: number;
  @ApiPropertyOptional({ example: 72, description: 'hours it keeps once paid; shorter rides first when pickup slots are scarce (default: by category)' })
  @IsOptional() @IsInt() @Min(1) @Max(24 * 365 * 5) shelfLifeHours?: number;
  @ApiPropertyOptional({ example: 5, description: 'handicraft only: made-to-order days before it can be collected' })
  @IsOptional() @IsInt() @Min(0) @Max(365) leadTimeDays?: number;
}

export class StockAdjustmentDto {
  @ApiProperty({ example: -2, description: 'change to on-hand units (non-zero)' }) @IsInt() @NotEquals(0) @Min(-1_000_000) @Max(1_000_000) delta!: number;
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
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize = 50;
}
