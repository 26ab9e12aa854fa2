import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '@cc/service';
import type { Category } from '@cc/contracts';
import type { OrderStatus } from '../domain/order-states';

@Entity('checkouts')
export class CheckoutEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'buyer_id' }) buyerId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('orders')
export class OrderEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'checkout_id' }) checkoutId!: string;
  @Column('text', { name: 'buyer_id' }) buyerId!: string;
  @Column('uuid', { name: 'store_id' }) storeId!: string;
  @Column('text') township!: string;
  @Column('text') status!: OrderStatus;
  @Column('bigint', { name: 'total_fen', transformer: bigintAsNumber }) totalFen!: number;
  @Column('bigint', { name: 'refunded_fen', transformer: bigintAsNumber }) refundedFen!: number;
  @Column('text', { name: 'payment_token' }) paymentToken!: string;
  /** When catalog's hold on the stock runs out (service clock); set on stock-reserved. */
  @Column('timestamptz', { name: 'stock_reserved_until', nullable: true }) stockReservedUntil!: Date | null;
  /** When a delivered order completes by itself unless the buyer confirms first (service clock); set on delivery. */
  @Column('timestamptz', { name: 'auto_confirm_at', nullable: true }) autoConfirmAt!: Date | null;
  /** The buyer has used her one extension of the auto-confirmation. */
  @Column('boolean', { name: 'confirmation_extended', default: false }) confirmationExtended!: boolean;
  /** Auto-confirmation paused since (an open after-sales request); resuming adds the pause to `autoConfirmAt`. */
  @Column('timestamptz', { name: 'auto_confirm_paused_at', nullable: true }) autoConfirmPausedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('order_lines')
export class OrderLineEntity {
  @PrimaryColumn('uuid', { name: 'order_id' }) orderId!: string;
  @PrimaryColumn('int', { name: 'line_no' }) lineNo!: number;
  @Column('uuid', { name: 'product_id' }) productId!: string;
  @Column('text', { name: 'product_name' }) productName!: string;
  @Column('text') category!: Category;
  @Column('int') quantity!: number;
  @Column('bigint', { name: 'unit_price_fen', transformer: bigintAsNumber }) unitPriceFen!: number;
  /** The product's perishability overrides when it was bought; null = its category's default. */
  @Column('int', { name: 'pickup_within_hours', nullable: true }) pickupWithinHours!: number | null;
  @Column('int', { name: 'shelf_life_hours', nullable: true }) shelfLifeHours!: number | null;
  @Column('int', { name: 'lead_time_days', nullable: true }) leadTimeDays!: number | null;
}

@Entity('order_history')
export class OrderHistoryEntity {
  @PrimaryColumn('bigint', { transformer: bigintAsNumber }) id!: number;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus!: OrderStatus | null;
  @Column('text', { name: 'to_status' }) toStatus!: OrderStatus;
  @Column('text') action!: string;
  @Column('text', { nullable: true }) reason!: string | null;
  /** The event id or the user that caused the change. */
  @Column('text', { name: 'caused_by', nullable: true }) causedBy!: string | null;
  @Column('timestamptz') at!: Date;
}

@Entity('payments')
export class PaymentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('text') kind!: 'capture' | 'refund';
  @Column('text') status!: 'succeeded' | 'declined' | 'pending';
  @Column('bigint', { name: 'amount_fen', transformer: bigintAsNumber }) amountFen!: number;
  @Column('text', { name: 'provider_ref', nullable: true }) providerRef!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const ordersEntities = [CheckoutEntity, OrderEntity, OrderLineEntity, OrderHistoryEntity, PaymentEntity];
