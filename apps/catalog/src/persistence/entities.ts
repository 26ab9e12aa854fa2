import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '@cc/service';
import type { Category, StoreStatus } from '@cc/contracts';

@Entity('stores')
export class StoreEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') township!: string;
  @Column('text', { nullable: true }) description!: string | null;
  /** Personal data of the seller: shown to ops and to her, masked in logs. */
  @Column('text', { name: 'contact_phone', nullable: true }) contactPhone!: string | null;
  @Column('text') status!: StoreStatus;
  @Column('text', { name: 'suspended_reason', nullable: true }) suspendedReason!: string | null;
  @Column('int') version!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('products')
export class ProductEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'store_id' }) storeId!: string;
  @Column('text') name!: string;
  @Column('text') category!: Category;
  @Column('bigint', { name: 'price_fen', transformer: bigintAsNumber }) priceFen!: number;
  @Column('int', { name: 'on_hand' }) onHand!: number;
  @Column('int') reserved!: number;
  /** Perishability overrides of the category defaults (docs/design.md, “Fresh produce on time”); null = the default. */
  @Column('int', { name: 'pickup_within_hours', nullable: true }) pickupWithinHours!: number | null;
  @Column('int', { name: 'shelf_life_hours', nullable: true }) shelfLifeHours!: number | null;
  /** Made-to-order days before a handicraft can be collected. */
  @Column('int', { name: 'lead_time_days', nullable: true }) leadTimeDays!: number | null;
  @Column('text', { nullable: true }) description!: string | null;
  /** Grows with every edit; an edit names the version it was made on (If-Match). */
  @Column('int') version!: number;
  /** Off sale since (hidden from the public listing, refused at checkout); null: on sale. */
  @Column('timestamptz', { name: 'archived_at', nullable: true }) archivedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export type ReservationStatus = 'active' | 'converted' | 'released';

@Entity('reservations')
export class ReservationEntity {
  @PrimaryColumn('uuid', { name: 'order_id' }) orderId!: string;
  @Column('uuid', { name: 'store_id' }) storeId!: string;
  @Column('text') status!: ReservationStatus;
  @Column('jsonb') lines!: { productId: string; quantity: number }[];
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
}

export type MovementKind = 'initial' | 'reservation' | 'release' | 'sale' | 'adjustment';

@Entity('stock_movements')
export class StockMovementEntity {
  @PrimaryColumn('bigint', { transformer: bigintAsNumber }) id!: number;
  @Column('uuid', { name: 'product_id' }) productId!: string;
  @Column('text') kind!: MovementKind;
  /** Change to on-hand stock. */
  @Column('int', { name: 'on_hand_delta' }) onHandDelta!: number;
  /** Change to reserved stock. */
  @Column('int', { name: 'reserved_delta' }) reservedDelta!: number;
  @Column('uuid', { name: 'order_id', nullable: true }) orderId!: string | null;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { nullable: true }) actor!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const catalogEntities = [StoreEntity, ProductEntity, ReservationEntity, StockMovementEntity];
