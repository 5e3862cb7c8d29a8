package dev.indelible.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports on 127.0.0.1 for the process tests' servers, never the same one twice in a JVM. */
final class LoopbackPorts {
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private LoopbackPorts() {}

    /**
     * A port nothing listens on now. The kernel may hand the same ephemeral port out twice in a
     * row once the probe socket is closed, and two nodes on one port make Ratis exit the JVM, so a
     * port is never handed out twice.
     */
    static int free() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (GIVEN.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
        throw new IOException("no unused loopback port after 100 attempts");
    }

    /**
     * A base port P for {@code cluster demo} and {@code aot-cache}, with P..P+2 and P+1000..P+1002
     * free on 127.0.0.1 and none of them handed out before (bounded tries).
     */
    static int freeBase() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
            List<Integer> ports = List.of(base, base + 1, base + 2, base + 1000, base + 1001, base + 1002);
            if (ports.stream().allMatch(port -> !GIVEN.contains(port) && bindable(port))) {
                GIVEN.addAll(ports);
                return base;
            }
        }
        throw new IllegalStateException("no free base port found");
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
