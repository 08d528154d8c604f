package io.porthole.sdk.internal;

import io.porthole.sdk.ApiKey;
import io.porthole.sdk.ApiKeys;
import io.porthole.sdk.Caller;
import io.porthole.sdk.RequestOptions;
import io.porthole.sdk.internal.Transport.Repeat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/** {@link ApiKeys} over {@code /admin/keys} and {@code /me}. Thread-safe. */
final class ApiKeysImpl implements ApiKeys {
    private final Transport transport;
    private final RequestOptions options;

    ApiKeysImpl(Transport transport, RequestOptions options) {
        this.transport = transport;
        this.options = options;
    }

    @Override
    public Caller me() {
        var n = transport.json("GET", "/me", null, Repeat.SAFE, options);
        return new Caller(Json.textOr(n, "tenant", ""), Json.textOr(n, "key_id", ""), n.path("admin").asBoolean(false));
    }

    @Override
    public List<ApiKey> list() {
        return Json.items(transport.json("GET", "/admin/keys", null, Repeat.SAFE, options)).stream().map(Json::apiKey).toList();
    }

    @Override
    public ApiKey create(String tenant, String name, boolean admin) {
        var body = new LinkedHashMap<String, Object>();
        body.put("tenant", Objects.requireNonNull(tenant, "tenant"));
        if (name != null) body.put("name", name);
        body.put("admin", admin);
        return Json.apiKey(transport.json("POST", "/admin/keys", body, Repeat.UNSAFE, options));
    }

    @Override
    public void revoke(String id) {
        transport.json("DELETE", "/admin/keys/" + Paths.seg(id), null, Repeat.SAFE, options);
    }
}
