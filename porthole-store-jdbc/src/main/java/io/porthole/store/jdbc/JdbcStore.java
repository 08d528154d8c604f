package io.porthole.store.jdbc;

import io.porthole.core.ComputerRecord;
import io.porthole.core.ComputerStatus;
import io.porthole.core.store.ApiKeyRecord;
import io.porthole.core.store.Store;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The {@link Store} over JDBC. SQLite in WAL mode by default: one connection, used under a lock (SQLite
 * serialises writers anyway and each statement takes microseconds); {@code synchronous=FULL} so a committed
 * write survives a power cut. Thread-safe.
 */
public final class JdbcStore implements Store {
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    private JdbcStore(Connection connection) {
        this.connection = connection;
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
            return new JdbcStore(c);
        } catch (SQLException | java.io.IOException | RuntimeException e) {
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

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T locked(Work<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("store: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    private static final String COMPUTER_COLUMNS = "id, tenant_id, kind, engine, status, created_at, last_activity_at,"
            + " max_lifetime_seconds, inactivity_timeout_seconds, idle_timeout_enabled, persistent, width, height, scale,"
            + " environment_id, terminated_at, termination_reason";

    @Override
    public void insertComputer(ComputerRecord r) {
        locked(c -> {
            try (var ps = c.prepareStatement("INSERT INTO computers (" + COMPUTER_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindComputer(ps, r, 1);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void updateComputer(ComputerRecord r) {
        locked(c -> {
            try (var ps = c.prepareStatement("UPDATE computers SET id = ?, tenant_id = ?, kind = ?, engine = ?, status = ?,"
                    + " created_at = ?, last_activity_at = ?, max_lifetime_seconds = ?, inactivity_timeout_seconds = ?,"
                    + " idle_timeout_enabled = ?, persistent = ?, width = ?, height = ?, scale = ?, environment_id = ?,"
                    + " terminated_at = ?, termination_reason = ? WHERE id = ?")) {
                bindComputer(ps, r, 1);
                ps.setString(18, r.id());
                return ps.executeUpdate();
            }
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
        ps.setString(i, r.terminationReason());
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
                rs.getString("termination_reason"));
    }

    private List<ComputerRecord> queryComputers(String where, Object... args) {
        return locked(c -> {
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
        return queryComputers("tenant_id = ? AND persistent = 1", tenantId);
    }

    @Override
    public List<ComputerRecord> listComputersInStatus(Set<ComputerStatus> statuses) {
        if (statuses.isEmpty()) return List.of();
        return queryComputers("status IN (" + statusList(statuses) + ")");
    }

    private static final String KEY_COLUMNS = "id, tenant_id, name, prefix, key_hash, admin, created_at, revoked_at";

    @Override
    public void insertApiKey(ApiKeyRecord k) {
        locked(c -> {
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
        return locked(c -> {
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
        return locked(c -> {
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
        return locked(c -> {
            try (var ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setLong(1, at.toEpochMilli());
                ps.setString(2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void close() {
        locked(c -> {
            c.close();
            return null;
        });
    }
}
