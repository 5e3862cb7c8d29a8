package dev.indelible.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real network cut between server processes that all listen on 127.0.0.1, made with iptables on
 * the loopback interface (root only).
 *
 * <p>Every node runs in its own cgroup (v2), so that the packets its own sockets send can be told
 * apart although every address is 127.0.0.1. Cutting node X off marks, in conntrack, every TCP
 * connection that X opens to another node's Raft port ({@code -m cgroup --path X}) and every
 * connection that anyone but X opens to X's Raft port, and drops every packet of a marked
 * connection, both ways. X keeps talking to itself (its own Raft client to its own server) and
 * every node keeps serving HTTP. All rules live in one chain of this test's own, jumped to from
 * {@code OUTPUT -o lo} (loopback packets all pass OUTPUT); {@link #close()} removes it.
 */
final class NetCut implements AutoCloseable {
    private static final String MARK = "0x5b1";

    private final String chain = "INDELIBLE_SB_" + ProcessHandle.current().pid();
    private final Path cgroupRoot;
    private final List<String> cgroups = new ArrayList<>();
    private boolean chainCreated;

    private NetCut(Path cgroupRoot) {
        this.cgroupRoot = cgroupRoot;
    }

    /** Why a cut cannot be made here (not root, no iptables, no cgroup v2), or empty if it can. */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("not root");
        }
        if (cgroup2Root().isEmpty()) {
            return Optional.of("no cgroup2 mount");
        }
        try {
            run("iptables", "-w", "-S", "OUTPUT");
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("iptables unusable: " + e.getMessage());
        }
    }

    static NetCut create(int nodes) throws IOException {
        NetCut cut = new NetCut(cgroup2Root().orElseThrow());
        try {
            for (int i = 0; i < nodes; i++) {
                String name = "indelible-sb-" + ProcessHandle.current().pid() + "-n" + (i + 1);
                Files.createDirectories(cut.cgroupRoot.resolve(name));
                cut.cgroups.add(name);
            }
            run("iptables", "-w", "-N", cut.chain);
            cut.chainCreated = true;
            run("iptables", "-w", "-I", "OUTPUT", "-o", "lo", "-j", cut.chain);
            return cut;
        } catch (IOException | RuntimeException e) {
            cut.close();
            throw e;
        }
    }

    /** The command, run inside node {@code node}'s cgroup (the shell execs it: same PID). */
    List<String> wrap(int node, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(
                "sh",
                "-c",
                "echo $$ > '" + cgroupRoot.resolve(cgroups.get(node)).resolve("cgroup.procs") + "' && exec \"$@\"",
                "sh"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Cuts {@code node} (whose Raft port is {@code raftPorts[node]}) off from every other node. */
    void isolate(int node, int[] raftPorts) throws IOException {
        List<String> others = new ArrayList<>();
        for (int i = 0; i < raftPorts.length; i++) {
            if (i != node) {
                others.add(Integer.toString(raftPorts[i]));
            }
        }
        String path = "/" + cgroups.get(node);
        run(
                "iptables",
                "-w",
                "-A",
                chain,
                "-p",
                "tcp",
                "-m",
                "cgroup",
                "--path",
                path,
                "-m",
                "multiport",
                "--dports",
                String.join(",", others),
                "-j",
                "CONNMARK",
                "--set-mark",
                MARK);
        run(
                "iptables",
                "-w",
                "-A",
                chain,
                "-p",
                "tcp",
                "--dport",
                Integer.toString(raftPorts[node]),
                "-m",
                "cgroup",
                "!",
                "--path",
                path,
                "-j",
                "CONNMARK",
                "--set-mark",
                MARK);
        run("iptables", "-w", "-A", chain, "-p", "tcp", "-m", "connmark", "--mark", MARK, "-j", "DROP");
    }

    /** Removes every cut (connections resume; marks left in conntrack no longer match a rule). */
    void heal() throws IOException {
        run("iptables", "-w", "-F", chain);
    }

    /** Removes the chain and its jump, and the cgroups (call after the processes are dead). */
    @Override
    public void close() {
        if (chainCreated) {
            quietly("iptables", "-w", "-D", "OUTPUT", "-o", "lo", "-j", chain);
            quietly("iptables", "-w", "-F", chain);
            quietly("iptables", "-w", "-X", chain);
            chainCreated = false;
        }
        for (String name : cgroups) {
            Path dir = cgroupRoot.resolve(name);
            for (int attempt = 0; attempt < 50 && Files.isDirectory(dir); attempt++) {
                try {
                    Files.delete(dir); // fails while a (dying) process is still in it
                } catch (IOException e) {
                    sleep(100);
                }
            }
        }
        cgroups.clear();
    }

    private static Optional<Path> cgroup2Root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("cgroup2") && Files.isWritable(Path.of(fields[1]))) {
                    return Optional.of(Path.of(fields[1]));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException | RuntimeException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    private static void run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": exit " + process.exitValue() + ": " + output);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
