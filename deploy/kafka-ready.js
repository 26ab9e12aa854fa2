// Exits 0 when the Kafka broker at argv[2] answers an admin call (describeCluster) within argv[3] ms.
const { Kafka, logLevel } = require('kafkajs');
const broker = process.argv[2] || '127.0.0.1:9092';
const timeout = Number(process.argv[3] || 3000);
const admin = new Kafka({ clientId: 'kafka-ready', brokers: [broker], logLevel: logLevel.NOTHING,
  connectionTimeout: timeout, requestTimeout: timeout, retry: { retries: 0 } }).admin();
const timer = setTimeout(() => process.exit(1), timeout + 500);
admin.connect()
  .then(() => admin.describeCluster())
  .then((c) => { clearTimeout(timer); console.log(`cluster ${c.clusterId}, ${c.brokers.length} broker(s)`); return admin.disconnect(); })
  .then(() => process.exit(0))
  .catch(() => process.exit(1));
