package dev.indelible.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.indelible.log.ErrorCode;
import dev.indelible.log.IndelibleException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The token administration API ({@code admin} scope, every call recorded in {@code _access}):
 * {@code POST /v1/admin/tokens} with {@code {"name":…, "scopes":[…], "expires":"90d"}} answers 201
 * with the token, shown this once; {@code GET /v1/admin/tokens} lists names, scopes and dates
 * (never secrets or hashes); {@code DELETE /v1/admin/tokens/{name}} revokes. In a cluster, creating
 * and revoking go through the Raft log ({@link ClusterTokens}) and answer once the cluster has
 * committed the change and this node has applied it; listing shows this node's token file.
 */
final class AdminRoutes {
    static final String TOKENS = "/v1/admin/tokens";
    static final String TOKEN = "/v1/admin/tokens/{name}";
    private static final int BODY_MAX_BYTES = 16 * 1024;

    private final TokenAdministration tokens;
    private final ObjectMapper json;

    AdminRoutes(TokenAdministration tokens, ObjectMapper json) {
        this.tokens = tokens;
        this.json = json;
    }

    void register(RoutesConfig routes) {
        routes.post(TOKENS, this::create);
        routes.get(TOKENS, this::list);
        routes.delete(TOKEN, this::revoke);
    }

    private void create(Context ctx) throws IOException {
        JsonNode body = readJson(ctx);
        String name = body.path("name").asText("");
        Set<Scope> scopes = new LinkedHashSet<>();
        Optional<java.time.Duration> validity;
        try {
            for (JsonNode scope : body.path("scopes")) {
                scopes.add(Scope.parse(scope.asText()));
            }
            validity = body.hasNonNull("expires")
                    ? Optional.of(TokenStore.parseValidity(body.get("expires").asText()))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, e.getMessage());
        }
        TokenStore.IssuedToken issued;
        try {
            issued = tokens.create(name, scopes, validity);
        } catch (IllegalArgumentException e) {
            throw new IndelibleException(ErrorCode.INVALID_PARAMETER, e.getMessage());
        }
        AccessControl.detail(
                ctx,
                "created token " + name + " with scopes " + issued.info().scopes()
                        + issued.info().expiresAt().map(e -> " expiring " + e).orElse(""));
        ObjectNode response = describe(issued.info());
        response.put("token", issued.secret());
        ctx.status(201).header("Cache-Control", "no-store").json(response);
    }

    private void list(Context ctx) throws IOException {
        ObjectNode response = json.createObjectNode();
        ArrayNode array = response.putArray("tokens");
        tokens.list().forEach(t -> array.add(describe(t)));
        AccessControl.resultCount(ctx, array.size());
        ctx.header("Cache-Control", "no-store").json(response);
    }

    private void revoke(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        if (!tokens.revoke(name)) {
            throw new IndelibleException(ErrorCode.NOT_FOUND, "no unrevoked token named " + name);
        }
        AccessControl.detail(ctx, "revoked token " + name);
        ctx.status(204);
    }

    private ObjectNode describe(TokenStore.TokenInfo token) {
        ObjectNode node = json.createObjectNode();
        node.put("name", token.name());
        ArrayNode scopes = node.putArray("scopes");
        token.scopes().stream().map(Scope::toString).sorted().forEach(scopes::add);
        node.put("createdAt", token.createdAt().toString());
        token.expiresAt().ifPresent(e -> node.put("expiresAt", e.toString()));
        node.put("revoked", token.revoked());
        return node;
    }

    private JsonNode readJson(Context ctx) throws IOException {
        byte[] bytes;
        try (InputStream in = ctx.req().getInputStream()) {
            bytes = in.readNBytes(BODY_MAX_BYTES + 1);
        }
        if (bytes.length > BODY_MAX_BYTES) {
            throw new IndelibleException(
                    ErrorCode.BODY_TOO_LARGE, "admin request bodies are at most " + BODY_MAX_BYTES + " bytes");
        }
        try {
            JsonNode node = json.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new IndelibleException(ErrorCode.MALFORMED_JSON, "want a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IndelibleException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
        }
    }
}
