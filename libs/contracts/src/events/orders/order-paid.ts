import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsISO8601, IsString, IsUUID, Min, ValidateNested } from 'class-validator';
import { OrderLineV1 } from './order-line';

export class OrderPaidV1 {
  @IsUUID() orderId!: string;
  @IsString() buyerId!: string;
  @IsUUID() storeId!: string;
  @IsString() township!: string;
  @ValidateNested({ each: true }) @Type(() => OrderLineV1) @ArrayMinSize(1) lines!: OrderLineV1[];
  @IsInt() @Min(0) totalFen!: number;
  @IsString() paymentId!: string;
  @IsISO8601() paidAt!: string;
}
