import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ShippingAddressV1 } from '@cc/contracts';
import {
  AFTER_SALES_KINDS,
  AFTER_SALES_STATUSES,
  AfterSalesKind,
  AfterSalesStatus,
} from '../domain/after-sales-states';
import { ORDER_STATUSES, OrderStatus } from '../domain/order-states';

export class CheckoutLineDto {
  @ApiProperty() @IsUUID() productId!: string;
  @ApiProperty({ example: 2 }) @IsInt() @Min(1) @Max(1000) quantity!: number;
}

export class CheckoutDto {
  @ApiProperty({ type: [CheckoutLineDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CheckoutLineDto)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  lines!: CheckoutLineDto[];
  @ApiProperty({
    example: 'tok_ok',
    description: 'payment token from the payment provider (simulated: tok_ok, tok_declined, tok_timeout)',
  })
  @IsString()
  @Length(1, 200)
  paymentToken!: string;
  @ApiProperty({
    type: ShippingAddressV1,
    description:
      'where the parcels go: recipientName, phone (mainland mobile, 11 digits starting with 1, optionally +86), province, city, district, street, optional 6-digit postcode',
    example: {
      recipientName: '张桂兰',
      phone: '13812345678',
      province: '陕西省',
      city: '延安市',
      district: '宝塔区',
      street: '枣园路 12 号',
      postcode: '716000',
    },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => ShippingAddressV1)
  shippingAddress!: ShippingAddressV1;
}

export class CancelDto {
  @ApiPropertyOptional({ example: 'the orchard was flooded' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class OrderListQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() storeId?: string;
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) @IsOptional() @IsIn(ORDER_STATUSES) status?: OrderStatus;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize = 50;
}

export class RefundDto {
  @ApiProperty({ example: 1200, description: 'amount to give back, in fen' })
  @IsInt()
  @Min(1)
  @Max(100_000_000_000)
  amountFen!: number;
  @ApiProperty({ example: 'two peaches arrived bruised' }) @IsString() @Length(1, 500) reason!: string;
}

export class AfterSalesDto {
  @ApiProperty({
    enum: AFTER_SALES_KINDS,
    description: 'refund-only: money back, keep the goods; return-and-refund: money back once the parcel is returned',
  })
  @IsIn(AFTER_SALES_KINDS)
  kind!: AfterSalesKind;
  @ApiProperty({ example: 1200, description: 'how much to give back, in fen (at most what is left to refund)' })
  @IsInt()
  @Min(1)
  @Max(100_000_000_000)
  amountFen!: number;
  @ApiProperty({ example: 'four of the twelve peaches arrived bruised' }) @IsString() @Length(1, 500) reason!: string;
}

export class AfterSalesDecisionDto {
  @ApiPropertyOptional({
    example: 'the photos show the box was opened after delivery',
    description: 'required to reject',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class AfterSalesListQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() storeId?: string;
  @ApiPropertyOptional({
    enum: AFTER_SALES_STATUSES,
    description: 'default: the ones in progress (open, awaiting-return)',
  })
  @IsOptional()
  @IsIn(AFTER_SALES_STATUSES)
  status?: AfterSalesStatus;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100_000) page = 1;
  @ApiPropertyOptional({ default: 50 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize = 50;
}

export class OrderSearchQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() checkoutId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() storeId?: string;
}
