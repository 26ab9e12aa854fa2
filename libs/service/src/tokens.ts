/** Injection tokens of the service kit. */
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
export const REDIS = Symbol('REDIS');
export const SERVICE_OPTIONS = Symbol('SERVICE_OPTIONS');
