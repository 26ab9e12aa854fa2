import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Min } from 'class-validator';

export const STORE_STATUSES = ['active', 'suspended'] as const;
export type StoreStatus = (typeof STORE_STATUSES)[number];

/**
 * A store changed: its details, or ops suspended or reinstated it (a suspended store's products
 * cannot be bought and payouts holds its money). Key: the store id. `version` grows with every
 * change, so a consumer keeps the newest whatever order redeliveries come in.
 */
export class StoreChangedV1 {
  @IsUUID() storeId!: string;
  @IsString() name!: string;
  @IsString() township!: string;
  @IsIn(STORE_STATUSES) status!: StoreStatus;
  /** Why it was suspended (null when active). */
  @IsOptional() @IsString() suspendedReason?: string | null;
  @IsInt() @Min(1) version!: number;
  @IsISO8601() changedAt!: string;
}
