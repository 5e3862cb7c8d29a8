package dev.indelible.client;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The base URLs a client may use, the one in use, and whether it is known to lead. One URL: always
 * that one. Several (the nodes of one cluster): a failure moves the client to the next, and the
 * leader is looked up again before the next append.
 */
final class Endpoints {
    private final List<URI> urls;
    private final AtomicInteger current = new AtomicInteger();
    private volatile boolean leaderChecked;

    Endpoints(List<URI> urls) {
        this.urls = List.copyOf(urls);
    }

    List<URI> all() {
        return urls;
    }

    /** The base URL requests go to now. */
    URI current() {
        return urls.get(current.get());
    }

    /** Whether there is more than one URL to choose from. */
    boolean several() {
        return urls.size() > 1;
    }

    /** {@code url} failed a request: move on to the next URL, unless another failure already has. */
    void failed(URI url) {
        int index = urls.indexOf(url);
        if (index >= 0 && current.compareAndSet(index, (index + 1) % urls.size())) {
            leaderChecked = false;
        }
    }

    /** Whether the leader should be looked up before an append. */
    boolean leaderUnknown() {
        return several() && !leaderChecked;
    }

    /** The lookup ran: use {@code leader} if it found one, and do not look again until a failure. */
    void leaderFound(URI leader) {
        int index = leader == null ? -1 : urls.indexOf(leader);
        if (index >= 0) {
            current.set(index);
        }
        leaderChecked = true;
    }
}
