package dev.indelible.bench.peer;

import java.util.HashMap;
import java.util.Map;

/**
 * The workload options shared with {@code indelible bench}: {@code --events N --batch B --size
 * BYTES --concurrency C [--rate R] [--duration S] --label TEXT}, plus peer-specific {@code
 * --key value} pairs kept in {@link #extra}.
 */
record LoadOptions(
        long events,
        int batch,
        int size,
        int concurrency,
        Double rate,
        Double durationSeconds,
        String label,
        Map<String, String> extra) {

    static LoadOptions parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            values.put(args[i].substring(2), args[++i]);
        }
        LoadOptions options = new LoadOptions(
                Long.parseLong(values.remove("events")),
                Integer.parseInt(values.getOrDefault("batch", "1")),
                Integer.parseInt(values.getOrDefault("size", "500")),
                Integer.parseInt(values.getOrDefault("concurrency", "4")),
                values.containsKey("rate") ? Double.valueOf(values.get("rate")) : null,
                values.containsKey("duration") ? Double.valueOf(values.get("duration")) : null,
                values.getOrDefault("label", ""),
                values);
        values.keySet().removeAll(java.util.List.of("batch", "size", "concurrency", "rate", "duration", "label"));
        if (options.batch < 1
                || options.concurrency < 1
                || options.concurrency > 1024
                || options.size < 64
                || options.events < 1) {
            throw new IllegalArgumentException("need batch >= 1, 1 <= concurrency <= 1024, size >= 64, events >= 1");
        }
        return options;
    }

    String require(String name) {
        String value = extra.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
