import { IsIn, IsInt, IsOptional, IsString, IsUUID, Min } from 'class-validator';
import { CATEGORIES, Category } from '../../categories';

export class ProductChangedV1 {
  @IsUUID() productId!: string;
  @IsUUID() storeId!: string;
  @IsString() name!: string;
  @IsIn(CATEGORIES) category!: Category;
  @IsInt() @Min(0) priceFen!: number;
  @IsInt() @Min(0) onHand!: number;
  @IsInt() @Min(0) available!: number;
  /** The product's perishability overrides (absent: the category's defaults, DESIGN §4). */
  @IsOptional() @IsInt() @Min(1) pickupWithinHours?: number;
  @IsOptional() @IsInt() @Min(1) shelfLifeHours?: number;
  @IsOptional() @IsInt() @Min(0) leadTimeDays?: number;
}
