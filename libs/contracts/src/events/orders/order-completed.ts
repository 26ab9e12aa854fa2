import { IsInt, IsISO8601, IsUUID, Min } from 'class-validator';

export class OrderCompletedV1 {
  @IsUUID() orderId!: string;
  @IsUUID() storeId!: string;
  @IsInt() @Min(0) totalFen!: number;
  @IsISO8601() completedAt!: string;
}
