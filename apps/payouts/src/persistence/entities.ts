import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintNumber = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity('order_splits')
export class OrderSplitEntity {
  @PrimaryColumn('uuid', { name: 'order_id' }) orderId!: string;
  @Column('uuid', { name: 'store_id' }) storeId!: string;
  @Column('bigint', { name: 'total_fen', transformer: bigintNumber }) totalFen!: number;
  @Column('bigint', { name: 'commission_fen', transformer: bigintNumber }) commissionFen!: number;
  @Column('bigint', { name: 'share_fen', transformer: bigintNumber }) shareFen!: number;
  @Column('bigint', { name: 'refunded_fen', transformer: bigintNumber }) refundedFen!: number;
  @Column('bigint', { name: 'refunded_share_fen', transformer: bigintNumber }) refundedShareFen!: number;
  @Column('bigint', { name: 'refunded_commission_fen', transformer: bigintNumber }) refundedCommissionFen!: number;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt!: Date | null;
}

// The ledger tables are written with SQL in LedgerRepository (append-only, batched inserts).
export const payoutsEntities = [OrderSplitEntity];
