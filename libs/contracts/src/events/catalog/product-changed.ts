import { IsIn, IsInt, IsString, IsUUID, Min } from 'class-validator';
import { CATEGORIES, Category } from '../../categories';

export class ProductChangedV1 {
  @IsUUID() productId!: string;
  @IsUUID() storeId!: string;
  @IsString() name!: string;
  @IsIn(CATEGORIES) category!: Category;
  @IsInt() @Min(0) priceFen!: number;
  @IsInt() @Min(0) onHand!: number;
  @IsInt() @Min(0) available!: number;
}
