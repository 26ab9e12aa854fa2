export * from './kafka';
export * from './schema';
export * from './outbox';
export * from './outbox-relay';
export * from './event-consumer';
export * from './provision';
export * from './kafka-faults';
