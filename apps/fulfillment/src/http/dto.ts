import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { COURIER_WEBHOOK_TYPES, CourierWebhookType } from '../persistence/courier.client';

export class ShipmentsQuery {
  @ApiProperty() @IsUUID() orderId!: string;
}

export class PickupSlotsQuery {
  @ApiProperty({ example: 'louguan' }) @IsString() @Length(1, 100) township!: string;
  @ApiProperty({ example: '2026-11-29', description: 'local date in the county' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real calendar date' })
  date!: string;
}

export class PackingListQuery {
  @ApiProperty({ example: '2026-11-29', description: 'local date in the county' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real calendar date' })
  date!: string;
  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    default: 'json',
    description: 'csv: a printable list, one row per product of each parcel',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class CourierWebhookDto {
  @ApiProperty() @IsUUID() eventId!: string;
  @ApiProperty({ enum: COURIER_WEBHOOK_TYPES }) @IsIn(COURIER_WEBHOOK_TYPES) type!: CourierWebhookType;
  @ApiProperty() @IsUUID() shipmentId!: string;
  @ApiProperty() @IsString() @Length(1, 200) courierRef!: string;
  @ApiProperty() @IsISO8601() at!: string;
}

export class DeclareLostDto {
  @ApiProperty({ example: 'courier cannot find it after three days; buyer called twice' })
  @IsString()
  @Length(1, 500)
  reason!: string;
}
