export * from './tokens';
export * from './options';
export * from './events';
export * from './jobs';
export * from './health';
export * from './runtime';
export * from './service-kit.module';
export * from './bootstrap';
