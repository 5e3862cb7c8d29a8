package dev.indelible.server.auth;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one table from route ({@code METHOD path-template}, as registered with Javalin) to
 * {@link Rule}. A route missing here is a bug caught at start ({@link AccessControl#requireRules})
 * and by the authorization matrix test; an unlisted route is never served by accident.
 */
public final class RouteRules {
    private static final Map<String, Rule> TABLE = table();

    private RouteRules() {}

    private static Map<String, Rule> table() {
        Map<String, Rule> t = new TreeMap<>();
        t.put("GET /healthz", Rule.PUBLIC);
        t.put("GET /readyz", Rule.PUBLIC);
        t.put("GET /v1/cluster", Rule.PUBLIC);
        t.put("POST /v1/cluster/nodes", Rule.ADMIN);
        t.put("DELETE /v1/cluster/nodes/{id}", Rule.ADMIN);
        t.put("GET /v1/logs", Rule.LIST);
        t.put("GET /v1/logs/{log}", Rule.VERIFY);
        t.put("POST /v1/logs/{log}/entries", Rule.APPEND);
        t.put("GET /v1/logs/{log}/entries", Rule.READ);
        t.put("GET /v1/logs/{log}/entries/{leafIndex}", Rule.READ);
        t.put("GET /v1/logs/{log}/entries/{leafIndex}/proof", Rule.VERIFY);
        t.put("GET /v1/logs/{log}/bodies/{digest}", Rule.READ);
        t.put("GET /v1/logs/{log}/checkpoint", Rule.VERIFY);
        t.put("GET /v1/logs/{log}/checkpoints/{treeSize}", Rule.VERIFY);
        t.put("GET /v1/logs/{log}/proof/inclusion", Rule.VERIFY);
        t.put("GET /v1/logs/{log}/proof/consistency", Rule.VERIFY);
        t.put("GET /v1/logs/{log}/tlog/checkpoint", Rule.VERIFY);
        t.put("GET /v1/logs/{log}/tlog/tile/<path>", Rule.TILE);
        for (String method : new String[] {"PUT", "PATCH", "DELETE"}) {
            t.put(method + " /v1/logs/{log}/entries", Rule.PUBLIC);
            t.put(method + " /v1/logs/{log}/entries/{leafIndex}", Rule.PUBLIC);
        }
        t.put("DELETE /v1/logs/{log}", Rule.PUBLIC);
        t.put("POST " + AdminRoutes.TOKENS, Rule.ADMIN);
        t.put("GET " + AdminRoutes.TOKENS, Rule.ADMIN);
        t.put("DELETE " + AdminRoutes.TOKEN, Rule.ADMIN);
        return Map.copyOf(t);
    }

    /** The rule of {@code method path}, if the route is known. */
    public static Optional<Rule> ruleOf(String method, String pathTemplate) {
        return Optional.ofNullable(TABLE.get(method + " " + pathTemplate));
    }

    /** The whole table, sorted: {@code METHOD path} to rule. */
    public static Map<String, Rule> all() {
        return new TreeMap<>(TABLE);
    }
}
