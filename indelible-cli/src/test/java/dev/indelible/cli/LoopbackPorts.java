package dev.indelible.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
}
