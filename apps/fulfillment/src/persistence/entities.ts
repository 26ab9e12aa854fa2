import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Category } from '@cc/contracts';
import type { ShipmentStatus } from '../domain/shipment-states';

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
  @Column('timestamptz', { name: 'deadline_at' }) deadlineAt!: Date;
  @Column('text', { name: 'courier_ref', nullable: true }) courierRef!: string | null;
  @Column('text', { name: 'failure_reason', nullable: true }) failureReason!: string | null;
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
