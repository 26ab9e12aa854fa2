import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Category } from '@cc/contracts';
import type { ShipmentStatus } from '../domain/shipment-states';

/** One product in a parcel, as the seller packs it. */
export interface ParcelLine {
  productId: string;
  productName: string;
  quantity: number;
  category: Category;
}

@Entity('shipments')
export class ShipmentEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'order_id' }) orderId!: string;
  @Column('uuid', { name: 'store_id' }) storeId!: string;
  @Column('text', { name: 'buyer_id' }) buyerId!: string;
  @Column('text') township!: string;
  @Column('text') category!: Category;
  @Column('text') status!: ShipmentStatus;
  @Column('timestamptz', { name: 'slot_starts_at', nullable: true }) slotStartsAt!: Date | null;
  /** Earliest pickup: payment, or the end of a made-to-order lead time. */
  @Column('timestamptz', { name: 'ready_at' }) readyAt!: Date;
  @Column('timestamptz', { name: 'deadline_at' }) deadlineAt!: Date;
  /** How long the parcel keeps (null: no limit); the shorter, the earlier it rides when slots are scarce. */
  @Column('int', { name: 'shelf_life_hours', nullable: true }) shelfLifeHours!: number | null;
  @Column('text', { name: 'courier_ref', nullable: true }) courierRef!: string | null;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason!: string | null;
  @Column('timestamptz', { name: 'picked_up_at', nullable: true }) pickedUpAt!: Date | null;
  /** Picked up plus its category's delivery window: still with the courier after this, it is overdue. */
  @Column('timestamptz', { name: 'delivery_due_at', nullable: true }) deliveryDueAt!: Date | null;
  /** What is in the parcel, as bought (null: made before shipments carried it). */
  @Column('jsonb', { nullable: true }) lines!: ParcelLine[] | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('shipment_history')
export class ShipmentHistoryEntity {
  @PrimaryColumn('bigint') id!: string;
  @Column('uuid', { name: 'shipment_id' }) shipmentId!: string;
  @Column('text', { name: 'from_status', nullable: true }) fromStatus!: ShipmentStatus | null;
  @Column('text', { name: 'to_status' }) toStatus!: ShipmentStatus;
  @Column('text', { nullable: true }) reason!: string | null;
  @Column('text', { name: 'caused_by', nullable: true }) causedBy!: string | null;
  @Column('timestamptz') at!: Date;
}

export const fulfillmentEntities = [ShipmentEntity, ShipmentHistoryEntity];
