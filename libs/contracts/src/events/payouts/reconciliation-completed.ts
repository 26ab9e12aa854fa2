import { IsInt, IsISO8601, IsUUID, Min } from 'class-validator';

export class ReconciliationCompletedV1 {
  @IsUUID() reconciliationId!: string;
  @IsInt() @Min(0) matched!: number;
  @IsInt() @Min(0) amountMismatch!: number;
  @IsInt() @Min(0) missingFromStatement!: number;
  @IsInt() @Min(0) unknownToUs!: number;
  @IsInt() @Min(0) duplicates!: number;
  @IsISO8601() completedAt!: string;
}
