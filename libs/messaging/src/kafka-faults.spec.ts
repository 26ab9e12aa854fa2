import {
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
  logLevel,
} from 'kafkajs';
import { cannotHeal, isRebalance, kafkajsLogLevel } from './kafka-faults';

const protocolError = (type: string) => Object.assign(new KafkaJSProtocolError('broker said no'), { type });

describe('which Kafka failures heal by waiting', () => {
  it('waits out a broker away, a coordinator moving and kafkajs giving up on its retries', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    });
    expect(cannotHeal(refused)).toBeUndefined();
    expect(cannotHeal(new KafkaJSNonRetriableError('Failed to find group coordinator'))).toBeUndefined();
    expect(
      cannotHeal(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 30, retryTime: 3000 })),
    ).toBeUndefined();
    expect(cannotHeal(protocolError('REBALANCE_IN_PROGRESS'))).toBeUndefined();
  });

  it('gives up on credentials, permissions and configuration, also behind kafkajs wrappers', () => {
    expect(
      cannotHeal(
        new (KafkaJSSASLAuthenticationError as unknown as new (m: string) => Error)(
          'SASL SCRAM SHA256 authentication failed',
        ),
      ),
    ).toMatch(/SASLAuthentication/);
    expect(cannotHeal(protocolError('TOPIC_AUTHORIZATION_FAILED'))).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    const wrapped = Object.assign(new KafkaJSNonRetriableError('group refused'), {
      cause: protocolError('GROUP_AUTHORIZATION_FAILED'),
    });
    expect(cannotHeal(wrapped)).toMatch(/GROUP_AUTHORIZATION_FAILED/);
    expect(cannotHeal(protocolError('INVALID_SESSION_TIMEOUT'))).toMatch(/INVALID_SESSION_TIMEOUT/);
  });

  it('tells a rebalance apart', () => {
    expect(isRebalance(protocolError('REBALANCE_IN_PROGRESS'))).toBe(true);
    expect(isRebalance(protocolError('ILLEGAL_GENERATION'))).toBe(true);
    expect(isRebalance(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});

describe("kafkajs' own log lines", () => {
  it('keeps start-up races out of the error log and turns what it retries into warnings', () => {
    expect(kafkajsLogLevel(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Topic creation errors')).toBe(
      'debug',
    );
    expect(
      kafkajsLogLevel(
        logLevel.ERROR,
        'Response Metadata(key: 3, version: 6)',
        'This server does not host this topic-partition',
      ),
    ).toBe('debug');
    expect(kafkajsLogLevel(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092')).toBe('warn');
    expect(kafkajsLogLevel(logLevel.ERROR, 'Crash: KafkaJSNonRetriableError: Failed to find group coordinator')).toBe(
      'warn',
    );
    expect(kafkajsLogLevel(logLevel.ERROR, 'SASL SCRAM SHA256 authentication failed: invalid credentials')).toBe(
      'error',
    );
  });
});
