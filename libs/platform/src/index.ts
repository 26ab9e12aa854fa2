export * from './config';
export * from './context';
export * from './clock';
export * from './logger';
export * from './metrics';
export * from './auth';
export * from './http/problem';
export * from './http/correlation';
