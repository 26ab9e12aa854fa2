import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CATEGORIES, Category } from '../../categories';

/**
 * One product line of an order as it travels in order events. The perishability fields are the
 * product's own overrides of the category defaults (docs/design.md, “Fresh produce on time”); they are optional, so version 1
 * payloads without them stay valid and mean "the category's defaults".
 */
export class OrderLineV1 {
  @IsUUID() productId!: string;
  @IsInt() @Min(1) quantity!: number;
  @IsInt() @Min(0) unitPriceFen!: number;
  @IsIn(CATEGORIES) category!: Category;
  /** Hours after payment (for handicraft: after its lead time) by which a courier must collect it. */
  @IsOptional() @IsInt() @Min(1) @Max(24 * 365) pickupWithinHours?: number;
  /** Hours it keeps once paid; the shorter, the earlier it rides when slots are scarce. */
  @IsOptional() @IsInt() @Min(1) @Max(24 * 365 * 5) shelfLifeHours?: number;
  /** Days a made-to-order piece takes before it can be collected (handicraft). */
  @IsOptional() @IsInt() @Min(0) @Max(365) leadTimeDays?: number;
}
