package org.phrcloud.identity.mpi;

import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;

/** {@link MasterPatientIndexContract} on H2, the embedded default database. */
class H2MasterPatientIndexTest extends MasterPatientIndexContract {
    @Override
    protected DataSource dataSource() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:mpi;DB_CLOSE_DELAY=-1");
        return ds;
    }
}
