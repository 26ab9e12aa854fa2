import { IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { CATEGORIES, Category } from '../../categories';

/**
 * A product was created or changed (an edit, archived or back on sale, its stock adjusted). It
 * carries the product as it is now and which fields changed (`created`, `stock`, `archived`, or the
 * edited fields); `version` grows with every edit, so a consumer keeps the newest. Orders forgets
 * its cached copy, so the next checkout pays the new price.
 */
export class ProductChangedV1 {
  @IsUUID() productId!: string;
  @IsUUID() storeId!: string;
  @IsInt() @Min(1) version!: number;
  @IsArray() @IsString({ each: true }) changed!: string[];
  @IsBoolean() archived!: boolean;
  @IsISO8601() changedAt!: string;
  @IsString() name!: string;
  @IsIn(CATEGORIES) category!: Category;
  @IsInt() @Min(0) priceFen!: number;
  @IsInt() @Min(0) onHand!: number;
  @IsInt() @Min(0) available!: number;
  /** The product's perishability overrides (absent: the category's defaults, docs/design.md, “Fresh produce on time”). */
  @IsOptional() @IsInt() @Min(1) pickupWithinHours?: number;
  @IsOptional() @IsInt() @Min(1) shelfLifeHours?: number;
  @IsOptional() @IsInt() @Min(0) leadTimeDays?: number;
}
