import { Type } from 'class-transformer';
import { IsInt, IsString, IsUUID, Min, ValidateNested } from 'class-validator';

export class RejectedLineV1 {
  @IsUUID() productId!: string;
  @IsInt() @Min(1) requested!: number;
  @IsInt() @Min(0) available!: number;
}

export class StockRejectedV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  /** `insufficient-stock`, `unknown-product`, `store-mismatch`. */
  @IsString() reason!: string;
  @ValidateNested({ each: true }) @Type(() => RejectedLineV1) lines!: RejectedLineV1[];
}
