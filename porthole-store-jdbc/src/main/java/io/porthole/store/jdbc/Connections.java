package io.porthole.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/** How the store gets a connection for one piece of work. Implementations are thread-safe. */
sealed interface Connections extends AutoCloseable {

    /** A piece of work on a connection that is the caller's alone until it returns. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T use(Work<T> work) throws SQLException;

    @Override
    void close() throws SQLException;

    /**
     * SQLite: one connection, used under a lock. SQLite serialises writers anyway, each statement takes
     * microseconds, and one connection sees its own writes without a second file handle's locking.
     */
    final class Single implements Connections {
        private final Connection connection;
        private final ReentrantLock lock = new ReentrantLock();

        Single(Connection connection) {
            this.connection = connection;
        }

        @Override
        public <T> T use(Work<T> work) throws SQLException {
            lock.lock();
            try {
                return work.run(connection);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() throws SQLException {
            lock.lock();
            try {
                connection.close();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * PostgreSQL: a pool, a connection per piece of work and no lock of ours; the database orders what must be
     * ordered. A connection goes back to the pool in auto-commit mode whatever the work did to it.
     */
    final class Pooled implements Connections {
        private final HikariDataSource pool;

        Pooled(HikariDataSource pool) {
            this.pool = pool;
        }

        @Override
        public <T> T use(Work<T> work) throws SQLException {
            try (var c = pool.getConnection()) {
                return work.run(c);
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
