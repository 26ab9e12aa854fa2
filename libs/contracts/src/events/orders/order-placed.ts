import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsISO8601, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { OrderLineV1 } from './order-line';

export class OrderPlacedV1 {
  @IsUUID() orderId!: string;
  @IsUUID() checkoutId!: string;
  @IsString() buyerId!: string;
  @IsUUID() storeId!: string;
  @IsString() township!: string;
  @ValidateNested({ each: true }) @Type(() => OrderLineV1) @ArrayMinSize(1) lines!: OrderLineV1[];
  @IsInt() @Min(0) totalFen!: number;
  @IsISO8601() placedAt!: string;
}
