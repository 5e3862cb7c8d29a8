package dev.indelible.bench.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The bench workload against Apache Kafka: {@code --bootstrap HOST:PORT --topic NAME
 * [--replication-factor N] [--min-insync N] [--flush-messages N]} plus {@link LoadOptions}.
 *
 * <p>Creates the topic with one partition (a single totally ordered log, as one indelible log is)
 * and the given configuration. Each load thread owns one producer ({@code acks=all}, idempotent);
 * one request is {@code batch} records sent together and then {@link KafkaProducer#flush()}ed, so
 * that they travel as one produce batch and the request ends when the broker has acknowledged all
 * of them.
 */
public final class KafkaLoad {
    private KafkaLoad() {}

    /** Entry point; exits 0 when every request was acknowledged. */
    public static void main(String[] args) throws Exception {
        LoadOptions options = LoadOptions.parse(args);
        String bootstrap = options.require("bootstrap");
        String topic = options.require("topic");
        createTopic(bootstrap, topic, options.extra());
        int status = OpenLoopRun.run(options, () -> new Client(bootstrap, topic), () -> "acks=all futures");
        System.exit(status);
    }

    private static void createTopic(String bootstrap, String topic, Map<String, String> extra) throws Exception {
        short replicas = Short.parseShort(extra.getOrDefault("replication-factor", "1"));
        Map<String, String> configs = new HashMap<>();
        configs.put("min.insync.replicas", extra.getOrDefault("min-insync", "1"));
        if (extra.containsKey("flush-messages")) {
            configs.put("flush.messages", extra.get("flush-messages"));
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            // Brokers register with the controller a moment after they listen: retry for a while.
            for (int attempt = 1; ; attempt++) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, replicas).configs(configs)))
                            .all()
                            .get(60, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        break;
                    }
                    if (attempt == 60) {
                        throw e;
                    }
                    Thread.sleep(1_000);
                }
            }
            admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS);
        }
    }

    /** One producer: one load thread's connection. */
    private static final class Client implements AppendClient {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;

        Client(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            // A request's records wait for flush() and leave as one produce batch.
            p.put(ProducerConfig.LINGER_MS_CONFIG, "1000");
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 << 20));
            p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            this.producer = new KafkaProducer<>(p);
            this.topic = topic;
        }

        @Override
        public void append(List<byte[]> events) throws Exception {
            List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
            for (byte[] event : events) {
                acks.add(producer.send(new ProducerRecord<>(topic, event)));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
