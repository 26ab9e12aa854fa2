import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsISO8601, IsUUID, Min, ValidateNested } from 'class-validator';

export class ReservedLineV1 {
  @IsUUID() productId!: string;
  @IsInt() @Min(1) quantity!: number;
}

export class StockReservedV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @ValidateNested({ each: true }) @Type(() => ReservedLineV1) @ArrayMinSize(1) lines!: ReservedLineV1[];
  @IsISO8601() expiresAt!: string;
}
