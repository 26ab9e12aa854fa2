import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '@cc/service';

@Entity('order_splits')
export class OrderSplitEntity {
  @PrimaryColumn('uuid', { name: 'order_id' }) orderId!: string;
  @Column('uuid', { name: 'store_id' }) storeId!: string;
  @Column('bigint', { name: 'total_fen', transformer: bigintAsNumber }) totalFen!: number;
  @Column('bigint', { name: 'commission_fen', transformer: bigintAsNumber }) commissionFen!: number;
  @Column('bigint', { name: 'share_fen', transformer: bigintAsNumber }) shareFen!: number;
  @Column('bigint', { name: 'refunded_fen', transformer: bigintAsNumber }) refundedFen!: number;
  @Column('bigint', { name: 'refunded_share_fen', transformer: bigintAsNumber }) refundedShareFen!: number;
  @Column('bigint', { name: 'refunded_commission_fen', transformer: bigintAsNumber }) refundedCommissionFen!: number;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt!: Date | null;
}

// The ledger tables are written with SQL in LedgerRepository (append-only, batched inserts).
export const payoutsEntities = [OrderSplitEntity];
