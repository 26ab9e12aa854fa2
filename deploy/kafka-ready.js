// Exits 0 when the Kafka broker at argv[2] answers an admin call (describeCluster) within argv[3] ms.
// Authenticates like every client of the project: KAFKA_SASL_MECHANISM (scram-sha-256, or none for
// a plaintext broker), KAFKA_USERNAME / KAFKA_PASSWORD (deploy/kafka.sh passes its admin's), KAFKA_SSL.
const { Kafka, logLevel } = require('kafkajs');
const broker = process.argv[2] || '127.0.0.1:9092';
const timeout = Number(process.argv[3] || 3000);
const mechanism = process.env.KAFKA_SASL_MECHANISM || 'scram-sha-256';
const sasl =
  mechanism === 'none'
    ? undefined
    : {
        mechanism,
        username: process.env.KAFKA_USERNAME || 'admin',
        password: process.env.KAFKA_PASSWORD || 'cc-dev-admin',
      };
const admin = new Kafka({
  clientId: 'kafka-ready',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  sasl,
  ssl: process.env.KAFKA_SSL === 'true',
  connectionTimeout: timeout,
  requestTimeout: timeout,
  retry: { retries: 0 },
}).admin();
const timer = setTimeout(() => process.exit(1), timeout + 500);
admin
  .connect()
  .then(() => admin.describeCluster())
  .then((c) => {
    clearTimeout(timer);
    console.log(`cluster ${c.clusterId}, ${c.brokers.length} broker(s)`);
    return admin.disconnect();
  })
  .then(() => process.exit(0))
  .catch((e) => {
    if (process.env.KAFKA_READY_VERBOSE) console.error(e.message);
    process.exit(1);
  });
