package io.porthole.store.jdbc;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.ApiKeyRecord;
import io.porthole.core.store.NodeRecord;
import io.porthole.core.store.ViewerLinkRecord;
import io.porthole.core.store.ArtifactRecord;
import io.porthole.core.store.EnvironmentRecord;
import io.porthole.core.store.ReplayEvent;
import io.porthole.core.store.Store;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The {@link Store} over JDBC, on SQLite or PostgreSQL, with one SQL text for both except where {@link Dialect}
 * says otherwise, and the same migrations ({@link Migrations}).
 *
 * <p>SQLite (the default, {@link #sqlite}): WAL mode, one connection used under a lock (SQLite serialises writers
 * anyway and each statement takes microseconds); {@code synchronous=FULL} so a committed write survives a power
 * cut. PostgreSQL ({@link #postgres}): a pool of connections and no lock of ours, for several servers on one
 * database. Thread-safe.
 */
public final class JdbcStore implements Store {
    private static final System.Logger LOG = System.getLogger(JdbcStore.class.getName());

    private final Connections connections;
    private final Dialect dialect;

    private JdbcStore(Connections connections, Dialect dialect) {
        this.connections = connections;
        this.dialect = dialect;
    }

    /** Opens (creating and migrating as needed) the SQLite database at {@code file}. */
    public static JdbcStore sqlite(Path file) {
        Connection c = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (var st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("PRAGMA synchronous=FULL");
                st.execute("PRAGMA busy_timeout=5000");
                st.execute("PRAGMA foreign_keys=ON");
            }
            Migrations.migrate(c);
            return new JdbcStore(new Connections.Single(c), Dialect.SQLITE);
        } catch (SQLException | IOException | RuntimeException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new IllegalStateException("the database " + file + " could not be opened: " + e.getMessage(), e);
        }
    }

    /** {@link #postgres(PostgresOptions)} with the default pool size; user and password may be null. */
    public static JdbcStore postgres(String jdbcUrl, String user, String password) {
        return postgres(PostgresOptions.of(jdbcUrl, user, password));
    }

    /**
     * Connects to the PostgreSQL database, migrating it as needed (several servers may do so at once: they take
     * turns). Fails at once, with what was tried and why, if no connection can be made. No message or log line of
     * ours carries the password.
     */
    public static JdbcStore postgres(PostgresOptions options) {
        var source = new PGSimpleDataSource();
        HikariDataSource pool = null;
        try {
            source.setURL(options.url());
            options.user().ifPresent(source::setUser);
            options.password().ifPresent(source::setPassword);
            // a refused insert's "Detail:" repeats the row's values (an API key's hash): keep them out of messages
            source.setLogServerErrorDetail(false);
            source.setApplicationName("porthole");
            source.setConnectTimeout(10);
            var config = new HikariConfig();
            config.setPoolName("porthole-store");
            config.setDataSource(source);
            config.setMaximumPoolSize(options.maxConnections());
            // connections are opened as work needs them: N servers idle hold N, not N times the pool's size
            config.setMinimumIdle(1);
            config.setConnectionTimeout(10_000);
            // the first connection is made here, so a wrong URL, user or password fails the start, not a request
            config.setInitializationFailTimeout(1);
            pool = new HikariDataSource(config);
            try (var c = pool.getConnection()) {
                Migrations.migrate(c);
            }
            LOG.log(System.Logger.Level.INFO, "store: PostgreSQL " + options.describe() + ", up to "
                    + options.maxConnections() + " connections");
            return new JdbcStore(new Connections.Pooled(pool), Dialect.POSTGRESQL);
        } catch (SQLException | RuntimeException e) {
            if (pool != null) pool.close();
            var reason = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                var m = t.getMessage();
                if (m != null && !m.isBlank() && reason.indexOf(m) < 0) {
                    reason.append(reason.isEmpty() ? "" : "; ").append(m);
                }
            }
            // not the exception itself as the cause: a driver's or the pool's message is not ours to vouch for
            throw new IllegalStateException("the PostgreSQL database " + options.describe()
                    + " could not be opened (tried: connect with " + (options.password().isPresent() ? "a" : "no")
                    + " password, then migrate): " + options.scrub(reason.toString()));
        }
    }

    private <T> T run(Connections.Work<T> work) {
        try {
            return connections.use(work);
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
    }

    /** {@code work} in one transaction: all of it or none. */
    private <T> T transaction(Connections.Work<T> work) {
        return run(c -> {
            c.setAutoCommit(false);
            try {
                var result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private static final String COMPUTER_COLUMNS = "id, tenant_id, kind, engine, status, created_at, last_activity_at,"
            + " max_lifetime_seconds, inactivity_timeout_seconds, idle_timeout_enabled, persistent, width, height, scale,"
            + " environment_id, terminated_at, termination_reason, template_id, metadata, node_id, identity";

    @Override
    public void insertComputer(ComputerRecord r) {
        run(c -> insert(c, r));
    }

    private static int insert(Connection c, ComputerRecord r) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO computers (" + COMPUTER_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bindComputer(ps, r, 1);
            return ps.executeUpdate();
        }
    }

    @Override
    public void updateComputer(ComputerRecord r) {
        run(c -> update(c, r));
    }

    private static int update(Connection c, ComputerRecord r) throws SQLException {
        try (var ps = c.prepareStatement("UPDATE computers SET id = ?, tenant_id = ?, kind = ?, engine = ?, status = ?,"
                + " created_at = ?, last_activity_at = ?, max_lifetime_seconds = ?, inactivity_timeout_seconds = ?,"
                + " idle_timeout_enabled = ?, persistent = ?, width = ?, height = ?, scale = ?, environment_id = ?,"
                + " terminated_at = ?, termination_reason = ?, template_id = ?, metadata = ?, node_id = ?, identity = ? WHERE id = ?"
                // an ended computer stays ended: a write of it as live that lost a race with its end changes nothing
                + " AND (? OR status IN ('starting', 'running', 'paused'))")) {
            bindComputer(ps, r, 1);
            ps.setString(22, r.id());
            ps.setBoolean(23, !r.status().isLive());
            return ps.executeUpdate();
        }
    }

    /** One transaction, one commit (one sync of the log to disk, where two statements on their own make two). */
    @Override
    public ReplayEvent updateComputerWithEvent(ComputerRecord r, String category, String type, String dataJson, Instant at) {
        return withEvent(c -> update(c, r), new ReplayEvent(0, r.id(), category, type, dataJson, millis(at)));
    }

    /** One transaction: the event only if this write ended the computer. */
    @Override
    public Optional<ReplayEvent> endComputerWithEvent(ComputerRecord r, String category, String type, String dataJson,
                                                      Instant at) {
        if (r.status().isLive()) throw new IllegalArgumentException("not an ended record: " + r.status().wireName());
        var event = new ReplayEvent(0, r.id(), category, type, dataJson, millis(at));
        return transaction(c -> {
            try (var ps = c.prepareStatement("UPDATE computers SET status = ?, terminated_at = ?, termination_reason = ?"
                    + " WHERE id = ? AND status IN ('starting', 'running', 'paused')")) {
                ps.setString(1, r.status().wireName());
                if (r.terminatedAt() == null) ps.setNull(2, Types.BIGINT);
                else ps.setLong(2, r.terminatedAt().toEpochMilli());
                ps.setString(3, r.terminationReason());
                ps.setString(4, r.id());
                if (ps.executeUpdate() != 1) return Optional.<ReplayEvent>empty();
            }
            return Optional.of(insertEvent(c, event));
        });
    }

    /** One transaction, one commit, as {@link #updateComputerWithEvent}. */
    @Override
    public ReplayEvent insertComputerWithEvent(ComputerRecord r, String category, String type, String dataJson, Instant at) {
        return withEvent(c -> insert(c, r), new ReplayEvent(0, r.id(), category, type, dataJson, millis(at)));
    }

    /** {@code write} and the event in one transaction: both or neither. */
    private ReplayEvent withEvent(Connections.Work<Integer> write, ReplayEvent event) {
        return transaction(c -> {
            write.run(c);
            return insertEvent(c, event);
        });
    }

    private static void bindComputer(PreparedStatement ps, ComputerRecord r, int i) throws SQLException {
        ps.setString(i++, r.id());
        ps.setString(i++, r.tenantId());
        ps.setString(i++, r.kind());
        ps.setString(i++, r.engine());
        ps.setString(i++, r.status().wireName());
        ps.setLong(i++, r.createdAt().toEpochMilli());
        ps.setLong(i++, r.lastActivityAt().toEpochMilli());
        ps.setLong(i++, r.maxLifetimeSeconds());
        ps.setLong(i++, r.inactivityTimeoutSeconds());
        ps.setBoolean(i++, r.idleTimeoutEnabled());
        ps.setBoolean(i++, r.persistent());
        ps.setInt(i++, r.width());
        ps.setInt(i++, r.height());
        ps.setDouble(i++, r.scale());
        ps.setString(i++, r.environmentId());
        if (r.terminatedAt() == null) ps.setNull(i++, Types.BIGINT);
        else ps.setLong(i++, r.terminatedAt().toEpochMilli());
        ps.setString(i++, r.terminationReason());
        ps.setString(i++, r.templateId());
        ps.setString(i++, r.metadataJson());
        ps.setString(i++, r.nodeId());
        ps.setString(i, r.identityJson());
    }

    private static ComputerRecord readComputer(ResultSet rs) throws SQLException {
        long terminated = rs.getLong("terminated_at");
        Instant terminatedAt = rs.wasNull() ? null : Instant.ofEpochMilli(terminated);
        return new ComputerRecord(rs.getString("id"), rs.getString("tenant_id"), rs.getString("kind"),
                rs.getString("engine"), ComputerStatus.fromWire(rs.getString("status")),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("last_activity_at")),
                rs.getLong("max_lifetime_seconds"), rs.getLong("inactivity_timeout_seconds"),
                rs.getBoolean("idle_timeout_enabled"), rs.getBoolean("persistent"), rs.getInt("width"),
                rs.getInt("height"), rs.getDouble("scale"), rs.getString("environment_id"), terminatedAt,
                rs.getString("termination_reason"), rs.getString("template_id"), rs.getString("metadata"),
                rs.getString("node_id"), rs.getString("identity"));
    }

    private List<ComputerRecord> queryComputers(String where, Object... args) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + COMPUTER_COLUMNS + " FROM computers WHERE " + where
                    + " ORDER BY created_at DESC")) {
                for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
                try (var rs = ps.executeQuery()) {
                    var out = new ArrayList<ComputerRecord>();
                    while (rs.next()) out.add(readComputer(rs));
                    return out;
                }
            }
        });
    }

    private static String statusList(Set<ComputerStatus> statuses) {
        return statuses.stream().map(s -> "'" + s.wireName() + "'").collect(Collectors.joining(", "));
    }

    @Override
    public Optional<ComputerRecord> findComputer(String id) {
        return queryComputers("id = ?", id).stream().findFirst();
    }

    @Override
    public List<ComputerRecord> listComputers(String tenantId, Set<ComputerStatus> statuses) {
        if (statuses.isEmpty()) return List.of();
        return queryComputers("tenant_id = ? AND status IN (" + statusList(statuses) + ")", tenantId);
    }

    @Override
    public List<ComputerRecord> listPersistentComputers(String tenantId) {
        return queryComputers("tenant_id = ? AND persistent = TRUE", tenantId);
    }

    @Override
    public List<ComputerRecord> listComputersInStatus(Set<ComputerStatus> statuses) {
        if (statuses.isEmpty()) return List.of();
        return queryComputers("status IN (" + statusList(statuses) + ")");
    }

    @Override
    public List<ComputerRecord> listComputersOnNode(String nodeId, Set<ComputerStatus> statuses) {
        if (statuses.isEmpty()) return List.of();
        return queryComputers("node_id = ? AND status IN (" + statusList(statuses) + ")", nodeId);
    }

    @Override
    public int claimUnownedComputers(String nodeId) {
        return run(c -> {
            try (var ps = c.prepareStatement("UPDATE computers SET node_id = ? WHERE node_id IS NULL")) {
                ps.setString(1, nodeId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int countComputers(Set<ComputerStatus> statuses) {
        if (statuses.isEmpty()) return 0;
        return run(c -> {
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT COUNT(*) FROM computers WHERE status IN (" + statusList(statuses) + ")")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        });
    }

    // --- nodes ---

    private static final String NODE_COLUMNS = "id, url, state, capacity, free, live, started_at, heartbeat_at";

    @Override
    public void upsertNode(NodeRecord n) {
        run(c -> {
            // one statement, so that two servers writing one node at once on PostgreSQL cannot both find nothing
            // to update and both insert
            try (var ps = c.prepareStatement("INSERT INTO nodes (url, state, capacity, free, live, started_at,"
                    + " heartbeat_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET url = excluded.url,"
                    + " state = excluded.state, capacity = excluded.capacity, free = excluded.free, live = excluded.live,"
                    + " started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at")) {
                bindNode(ps, n);
                ps.setString(8, n.id());
                return ps.executeUpdate();
            }
        });
    }

    private static void bindNode(PreparedStatement ps, NodeRecord n) throws SQLException {
        ps.setString(1, n.url());
        ps.setString(2, n.state());
        ps.setInt(3, n.capacity());
        ps.setInt(4, n.free());
        ps.setInt(5, n.live());
        ps.setLong(6, n.startedAt().toEpochMilli());
        ps.setLong(7, n.heartbeatAt().toEpochMilli());
    }

    private static NodeRecord readNode(ResultSet rs) throws SQLException {
        return new NodeRecord(rs.getString("id"), rs.getString("url"), rs.getString("state"), rs.getInt("capacity"),
                rs.getInt("free"), rs.getInt("live"), Instant.ofEpochMilli(rs.getLong("started_at")),
                Instant.ofEpochMilli(rs.getLong("heartbeat_at")));
    }

    @Override
    public Optional<NodeRecord> findNode(String id) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + NODE_COLUMNS + " FROM nodes WHERE id = ?")) {
                ps.setString(1, id);
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readNode(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<NodeRecord> listNodes() {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + NODE_COLUMNS + " FROM nodes ORDER BY id");
                 var rs = ps.executeQuery()) {
                var out = new ArrayList<NodeRecord>();
                while (rs.next()) out.add(readNode(rs));
                return out;
            }
        });
    }

    @Override
    public boolean heartbeatNode(String id, Instant at, int capacity, int free, int live) {
        return run(c -> {
            try (var ps = c.prepareStatement("UPDATE nodes SET heartbeat_at = ?, capacity = ?, free = ?, live = ?"
                    + " WHERE id = ? AND state IN ('" + NodeRecord.UP + "', '" + NodeRecord.DRAINING + "')")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setInt(2, capacity);
                ps.setInt(3, free);
                ps.setInt(4, live);
                ps.setString(5, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean moveNode(String id, Set<String> from, String state, Optional<Instant> silentSince) {
        if (from.isEmpty()) return false;
        return run(c -> {
            var in = String.join(", ", java.util.Collections.nCopies(from.size(), "?"));
            try (var ps = c.prepareStatement("UPDATE nodes SET state = ? WHERE id = ? AND state IN (" + in + ")"
                    + (silentSince.isPresent() ? " AND heartbeat_at < ?" : ""))) {
                int i = 1;
                ps.setString(i++, state);
                ps.setString(i++, id);
                for (var f : from) ps.setString(i++, f);
                if (silentSince.isPresent()) ps.setLong(i, silentSince.get().toEpochMilli());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public String sharedKey(String name, String candidate) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT value FROM shared_keys WHERE name = ?")) {
                ps.setString(1, name);
                try (var rs = ps.executeQuery()) {
                    if (rs.next()) return rs.getString(1);
                }
            }
            try (var ins = c.prepareStatement("INSERT INTO shared_keys (name, value) VALUES (?, ?)")) {
                ins.setString(1, name);
                ins.setString(2, candidate);
                ins.executeUpdate();
                return candidate;
            } catch (SQLException lostTheRace) {
                // another node stored its candidate first: that one is the key
                try (var ps = c.prepareStatement("SELECT value FROM shared_keys WHERE name = ?")) {
                    ps.setString(1, name);
                    try (var rs = ps.executeQuery()) {
                        if (rs.next()) return rs.getString(1);
                    }
                }
                throw lostTheRace;
            }
        });
    }

    private static final String LINK_COLUMNS = "id, computer_id, tenant_id, mode, prefix, token_hash, created_at, expires_at,"
            + " revoked_at";

    @Override
    public void insertViewerLink(ViewerLinkRecord l) {
        run(c -> {
            try (var ps = c.prepareStatement("INSERT INTO viewer_links (" + LINK_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, l.id());
                ps.setString(2, l.computerId());
                ps.setString(3, l.tenantId());
                ps.setString(4, l.mode());
                ps.setString(5, l.prefix());
                ps.setString(6, l.tokenHash());
                ps.setLong(7, l.createdAt().toEpochMilli());
                ps.setLong(8, l.expiresAt().toEpochMilli());
                if (l.revokedAt() == null) ps.setNull(9, Types.BIGINT);
                else ps.setLong(9, l.revokedAt().toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    private static ViewerLinkRecord readLink(ResultSet rs) throws SQLException {
        long revoked = rs.getLong("revoked_at");
        Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        return new ViewerLinkRecord(rs.getString("id"), rs.getString("computer_id"), rs.getString("tenant_id"),
                rs.getString("mode"), rs.getString("prefix"), rs.getString("token_hash"),
                Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("expires_at")), revokedAt);
    }

    @Override
    public Optional<ViewerLinkRecord> findViewerLinkByHash(String tokenHash) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + LINK_COLUMNS + " FROM viewer_links WHERE token_hash = ?")) {
                ps.setString(1, tokenHash);
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readLink(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ViewerLinkRecord> listViewerLinks(String computerId) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + LINK_COLUMNS + " FROM viewer_links WHERE computer_id = ?"
                    + " ORDER BY created_at DESC, id")) {
                ps.setString(1, computerId);
                try (var rs = ps.executeQuery()) {
                    var out = new ArrayList<ViewerLinkRecord>();
                    while (rs.next()) out.add(readLink(rs));
                    return out;
                }
            }
        });
    }

    @Override
    public boolean revokeViewerLink(String computerId, String id, Instant at) {
        return run(c -> {
            try (var ps = c.prepareStatement("UPDATE viewer_links SET revoked_at = ? WHERE id = ? AND computer_id = ?"
                    + " AND revoked_at IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, id);
                ps.setString(3, computerId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static final String KEY_COLUMNS = "id, tenant_id, name, prefix, key_hash, admin, created_at, revoked_at";

    @Override
    public void insertApiKey(ApiKeyRecord k) {
        run(c -> {
            try (var ps = c.prepareStatement("INSERT INTO api_keys (" + KEY_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, k.id());
                ps.setString(2, k.tenantId());
                ps.setString(3, k.name());
                ps.setString(4, k.prefix());
                ps.setString(5, k.keyHash());
                ps.setBoolean(6, k.admin());
                ps.setLong(7, k.createdAt().toEpochMilli());
                if (k.revokedAt() == null) ps.setNull(8, Types.BIGINT);
                else ps.setLong(8, k.revokedAt().toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    private static ApiKeyRecord readKey(ResultSet rs) throws SQLException {
        long revoked = rs.getLong("revoked_at");
        Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        return new ApiKeyRecord(rs.getString("id"), rs.getString("tenant_id"), rs.getString("name"),
                rs.getString("prefix"), rs.getString("key_hash"), rs.getBoolean("admin"),
                Instant.ofEpochMilli(rs.getLong("created_at")), revokedAt);
    }

    @Override
    public Optional<ApiKeyRecord> findApiKeyByHash(String keyHash) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM api_keys WHERE key_hash = ?")) {
                ps.setString(1, keyHash);
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(readKey(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<ApiKeyRecord> listApiKeys() {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + KEY_COLUMNS + " FROM api_keys ORDER BY created_at");
                 var rs = ps.executeQuery()) {
                var out = new ArrayList<ApiKeyRecord>();
                while (rs.next()) out.add(readKey(rs));
                return out;
            }
        });
    }

    @Override
    public boolean revokeApiKey(String id, Instant at) {
        return run(c -> {
            try (var ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    // --- replay events ---

    private static final String EVENT_COLUMNS = "seq, computer_id, category, type, data, at";

    @Override
    public ReplayEvent appendEvent(String computerId, String category, String type, String dataJson, Instant at) {
        // Validates (and defaults the data) before anything is written.
        var event = new ReplayEvent(0, computerId, category, type, dataJson, millis(at));
        return run(c -> insertEvent(c, event));
    }

    private ReplayEvent insertEvent(Connection c, ReplayEvent event) throws SQLException {
        try (var ps = c.prepareStatement(dialect.insertEvent())) {
            ps.setString(1, event.computerId());
            ps.setString(2, event.category());
            ps.setString(3, event.type());
            ps.setString(4, event.dataJson());
            ps.setLong(5, event.at().toEpochMilli());
            if (dialect.eventInsertNamesTheComputerTwice()) ps.setString(6, event.computerId());
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) throw new SQLException("the insert returned no seq");
                return new ReplayEvent(rs.getLong(1), event.computerId(), event.category(), event.type(),
                        event.dataJson(), event.at());
            }
        }
    }

    @Override
    public List<ReplayEvent> listEvents(String computerId, Optional<Long> beforeSeq, int limit) {
        Objects.requireNonNull(computerId, "computerId");
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1: " + limit);
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + EVENT_COLUMNS + " FROM events WHERE computer_id = ?"
                    + (beforeSeq.isPresent() ? " AND seq < ?" : "") + " ORDER BY seq DESC LIMIT ?")) {
                int i = 1;
                ps.setString(i++, computerId);
                if (beforeSeq.isPresent()) ps.setLong(i++, beforeSeq.get());
                ps.setInt(i, limit);
                try (var rs = ps.executeQuery()) {
                    var out = new ArrayList<ReplayEvent>();
                    while (rs.next()) {
                        out.add(new ReplayEvent(rs.getLong("seq"), rs.getString("computer_id"), rs.getString("category"),
                                rs.getString("type"), rs.getString("data"), Instant.ofEpochMilli(rs.getLong("at"))));
                    }
                    return out;
                }
            }
        });
    }

    // --- artifacts ---

    private static final String ARTIFACT_COLUMNS = "id, computer_id, tenant_id, type, content_type, name, size, sha256,"
            + " created_at";

    @Override
    public void insertArtifact(ArtifactRecord a) {
        Objects.requireNonNull(a, "artifact");
        run(c -> {
            try (var ps = c.prepareStatement("INSERT INTO artifacts (" + ARTIFACT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, a.id());
                ps.setString(2, a.computerId());
                ps.setString(3, a.tenantId());
                ps.setString(4, a.type());
                ps.setString(5, a.contentType());
                ps.setString(6, a.name());
                ps.setLong(7, a.size());
                ps.setString(8, a.sha256());
                ps.setLong(9, a.createdAt().toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    private List<ArtifactRecord> queryArtifacts(String where, String... args) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + ARTIFACT_COLUMNS + " FROM artifacts WHERE " + where
                    + " ORDER BY created_at DESC, id DESC")) {
                for (int i = 0; i < args.length; i++) ps.setString(i + 1, args[i]);
                try (var rs = ps.executeQuery()) {
                    var out = new ArrayList<ArtifactRecord>();
                    while (rs.next()) {
                        out.add(new ArtifactRecord(rs.getString("id"), rs.getString("computer_id"),
                                rs.getString("tenant_id"), rs.getString("type"), rs.getString("content_type"),
                                rs.getString("name"), rs.getLong("size"), rs.getString("sha256"),
                                Instant.ofEpochMilli(rs.getLong("created_at"))));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public List<ArtifactRecord> listArtifacts(String computerId) {
        return queryArtifacts("computer_id = ?", Objects.requireNonNull(computerId, "computerId"));
    }

    @Override
    public Optional<ArtifactRecord> findArtifact(String computerId, String artifactId) {
        return queryArtifacts("id = ? AND computer_id = ?", Objects.requireNonNull(artifactId, "artifactId"),
                Objects.requireNonNull(computerId, "computerId")).stream().findFirst();
    }

    // --- environments ---

    private static final String ENVIRONMENT_COLUMNS = "id, tenant_id, engine, sha256, size, created_at, updated_at";

    @Override
    public void upsertEnvironment(EnvironmentRecord e) {
        Objects.requireNonNull(e, "environment");
        int changed = run(c -> {
            // ON CONFLICT ... DO UPDATE: SQLite 3.24+ and PostgreSQL 9.5+ alike. The WHERE keeps another
            // tenant's environment untouched (0 rows changed).
            try (var ps = c.prepareStatement("INSERT INTO environments (" + ENVIRONMENT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET engine = excluded.engine,"
                    + " sha256 = excluded.sha256, size = excluded.size, updated_at = excluded.updated_at"
                    + " WHERE environments.tenant_id = excluded.tenant_id")) {
                ps.setString(1, e.id());
                ps.setString(2, e.tenantId());
                ps.setString(3, e.engine());
                ps.setString(4, e.sha256());
                ps.setLong(5, e.size());
                ps.setLong(6, e.createdAt().toEpochMilli());
                ps.setLong(7, e.updatedAt().toEpochMilli());
                return ps.executeUpdate();
            }
        });
        if (changed != 1) {
            throw new IllegalStateException("store: the environment " + e.id() + " belongs to another tenant");
        }
    }

    private List<EnvironmentRecord> queryEnvironments(String where, String arg) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT " + ENVIRONMENT_COLUMNS + " FROM environments WHERE " + where
                    + " ORDER BY created_at DESC, id DESC")) {
                ps.setString(1, arg);
                try (var rs = ps.executeQuery()) {
                    var out = new ArrayList<EnvironmentRecord>();
                    while (rs.next()) {
                        out.add(new EnvironmentRecord(rs.getString("id"), rs.getString("tenant_id"),
                                rs.getString("engine"), rs.getString("sha256"), rs.getLong("size"),
                                Instant.ofEpochMilli(rs.getLong("created_at")),
                                Instant.ofEpochMilli(rs.getLong("updated_at"))));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public Optional<EnvironmentRecord> findEnvironment(String id) {
        return queryEnvironments("id = ?", Objects.requireNonNull(id, "id")).stream().findFirst();
    }

    @Override
    public List<EnvironmentRecord> listEnvironments(String tenantId) {
        return queryEnvironments("tenant_id = ?", Objects.requireNonNull(tenantId, "tenantId"));
    }

    @Override
    public boolean deleteEnvironment(String id) {
        Objects.requireNonNull(id, "id");
        return run(c -> {
            try (var ps = c.prepareStatement("DELETE FROM environments WHERE id = ?")) {
                ps.setString(1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    // --- computer secrets ---

    @Override
    public void putSecret(String computerId, String name, Optional<byte[]> sealed) {
        run(c -> {
            if (sealed.isEmpty()) {
                try (var ps = c.prepareStatement("DELETE FROM computer_secrets WHERE computer_id = ? AND name = ?")) {
                    ps.setString(1, computerId);
                    ps.setString(2, name);
                    return ps.executeUpdate();
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO computer_secrets (computer_id, name, sealed) VALUES (?, ?, ?)"
                    + " ON CONFLICT (computer_id, name) DO UPDATE SET sealed = excluded.sealed")) {
                ps.setString(1, computerId);
                ps.setString(2, name);
                ps.setBytes(3, sealed.get());
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<byte[]> getSecret(String computerId, String name) {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT sealed FROM computer_secrets WHERE computer_id = ? AND name = ?")) {
                ps.setString(1, computerId);
                ps.setString(2, name);
                try (var rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
                }
            }
        });
    }

    // --- blobs ---

    @Override
    public Set<String> referencedBlobs() {
        return run(c -> {
            try (var ps = c.prepareStatement("SELECT sha256 FROM artifacts UNION SELECT sha256 FROM environments");
                 var rs = ps.executeQuery()) {
                var out = new HashSet<String>();
                while (rs.next()) out.add(rs.getString(1));
                return Set.copyOf(out);
            }
        });
    }

    private static Instant millis(Instant at) {
        return Instant.ofEpochMilli(Objects.requireNonNull(at, "at").toEpochMilli());
    }

    @Override
    public void close() {
        try {
            connections.close();
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        }
    }
}
