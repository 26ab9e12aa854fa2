import { IsIn, IsInt, IsUUID, Min } from 'class-validator';
import { CATEGORIES, Category } from '../../categories';

/** One product line of an order as it travels in order events. */
export class OrderLineV1 {
  @IsUUID() productId!: string;
  @IsInt() @Min(1) quantity!: number;
  @IsInt() @Min(0) unitPriceFen!: number;
  @IsIn(CATEGORIES) category!: Category;
}
