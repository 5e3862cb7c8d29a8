package dev.indelible.bench.peer;

import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives {@link AppendClient}s exactly as {@code indelible bench} drives the server: {@code
 * concurrency} threads take request numbers in turn; with a rate, request r is due at {@code start
 * + r * batch / rate} and its latency counts from then (open loop, no coordinated omission); every
 * acknowledged request's latency goes into an HdrHistogram in microseconds.
 */
final class OpenLoopRun {
    private OpenLoopRun() {}

    /**
     * Runs the workload, then {@code verify} (which checks what the peer stored and describes the
     * check), and prints the result as {@code indelible bench --json} does.
     */
    static int run(LoadOptions options, Callable<AppendClient> connect, Callable<String> verify) throws Exception {
        long requests = (options.events() + options.batch() - 1) / options.batch();
        AtomicLong nextRequest = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Recorder recorder = new Recorder(3);
        double intervalNanos = options.rate() == null ? 0 : 1e9 * options.batch() / options.rate();
        AppendClient[] clients = new AppendClient[options.concurrency()];
        for (int w = 0; w < clients.length; w++) {
            clients[w] = connect.call();
        }
        SyntheticEvents generator = new SyntheticEvents(options.size());
        CountDownLatch done = new CountDownLatch(clients.length);
        long start = System.nanoTime();
        long deadline =
                options.durationSeconds() == null ? Long.MAX_VALUE : start + (long) (options.durationSeconds() * 1e9);
        for (int w = 0; w < clients.length; w++) {
            int worker = w;
            Thread.ofPlatform().name("load-" + w).start(() -> {
                Random random = new Random(worker);
                try {
                    long r;
                    while ((r = nextRequest.getAndIncrement()) < requests && System.nanoTime() < deadline) {
                        long due = intervalNanos == 0 ? System.nanoTime() : start + (long) (r * intervalNanos);
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        int count = (int) Math.min(options.batch(), options.events() - r * options.batch());
                        List<byte[]> events = generator.batch(r * options.batch(), count, random);
                        clients[worker].append(events);
                        recorder.recordValue(Math.max(1, (System.nanoTime() - due) / 1_000));
                        acknowledged.addAndGet(count);
                    }
                } catch (Exception e) {
                    System.err.println("load worker " + worker + " stopped: " + e);
                    failed.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        for (AppendClient client : clients) {
            client.close();
        }
        String verified = verify.call();
        print(options, acknowledged.get(), failed.get(), seconds, recorder.getIntervalHistogram(), verified);
        return failed.get() == 0 ? 0 : 2;
    }

    private static void print(
            LoadOptions o, long acknowledged, long failed, double seconds, Histogram h, String verified) {
        double ms = 1_000.0;
        System.out.printf(
                "{\"peer\":\"%s\",\"events\":%d,\"failed\":%d,\"seconds\":%.3f,\"eventsPerSecond\":%.1f,\"batch\":%d,"
                        + "\"size\":%d,\"concurrency\":%d,\"rate\":%s,\"latencyMs\":{\"p50\":%.3f,\"p90\":%.3f,"
                        + "\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},\"verified\":\"%s\"}%n",
                o.label(),
                acknowledged,
                failed,
                seconds,
                acknowledged / seconds,
                o.batch(),
                o.size(),
                o.concurrency(),
                o.rate() == null ? "null" : String.format("%.1f", o.rate()),
                h.getValueAtPercentile(50) / ms,
                h.getValueAtPercentile(90) / ms,
                h.getValueAtPercentile(99) / ms,
                h.getValueAtPercentile(99.9) / ms,
                h.getMaxValue() / ms,
                verified);
    }
}
