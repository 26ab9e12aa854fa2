// Provisions a platform's Kafka topics and ACLs as the broker's super user; run it once per
// deployment (and again after a service consumes a new topic) before the services start:
//   KAFKA_BROKERS=… KAFKA_SASL_MECHANISM=scram-sha-256 KAFKA_SSL=true KAFKA_ADMIN_USERNAME=admin KAFKA_ADMIN_PASSWORD=… \
//     node dist/scripts/kafka-provision.js [--namespace <ns>] [--partitions 12] [--replication-factor 3]
// The services' SCRAM credentials are the broker operator's to create (kafka-configs.sh
// --alter --add-config 'SCRAM-SHA-256=[password=…]' --entity-type users --entity-name orders).
import { adminConnection, adminKafka, namespaceGrants, namespaceTopics, provisionNamespace } from '@cc/messaging';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};

async function main(): Promise<void> {
  const namespace = option('namespace', process.env.NAMESPACE ?? '');
  const partitions = Number(option('partitions', process.env.KAFKA_PARTITIONS ?? '12'));
  const replicationFactor = Number(option('replication-factor', '1'));
  const acls = adminConnection().sasl !== undefined;
  await provisionNamespace(adminKafka('kafka-provision'), { namespace, partitions, replicationFactor, acls });
  console.log(
    `kafka: topics ${namespaceTopics(namespace).join(', ')} (${partitions} partitions, replication ${replicationFactor})`,
  );
  if (!acls) console.log('kafka: KAFKA_SASL_MECHANISM=none: no ACLs made (the broker has no authorizer)');
  else
    for (const g of namespaceGrants(namespace))
      console.log(`  allow User:${g.principal} ${g.operation} on ${g.resourceType} ${g.pattern} ${g.resourceName}`);
}

main().catch((e) => {
  console.error(`kafka-provision: ${(e as Error).message}`);
  process.exit(1);
});
