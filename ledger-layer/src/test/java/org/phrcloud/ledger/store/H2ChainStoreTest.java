package org.phrcloud.ledger.store;

import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;

/** {@link ChainStoreContract} on H2, the embedded default database. */
class H2ChainStoreTest extends ChainStoreContract {
    @Override
    protected DataSource dataSource() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:ledger;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=20000");
        return ds;
    }
}
