package org.phrcloud.research.dataset;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class DataSetIndexTest {
    private static DataSetIndex.Row running(String id) {
        return new DataSetIndex.Row(id, "researcher-sub", "demo-researcher", "study-1", Instant.parse("2026-12-07T10:00:00Z"), null,
                DataSetIndex.Status.RUNNING, "extracting", 10, "req-" + id, "{}", null, null, null);
    }

    @Test
    void aRestartingReplicaFailsItsOwnUnfinishedJobsAndLeavesTheOtherReplicasRunning() {
        JdbcDataSource db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:datasets-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        DataSetIndex.migrate(db);
        DataSetIndex index = new DataSetIndex(db);
        index.insert(running("a-job"), "host-1:/domains/a");
        index.insert(running("b-job"), "host-2:/domains/b");

        assertThat(index.failUnfinished("host-1:/domains/a", Instant.parse("2026-12-07T10:05:00Z"))).isEqualTo(1);

        assertThat(index.find("a-job").orElseThrow().status()).isEqualTo(DataSetIndex.Status.FAILED);
        assertThat(index.find("a-job").orElseThrow().error()).startsWith("PHR-RESEARCH-1101");
        assertThat(index.find("b-job").orElseThrow().status()).isEqualTo(DataSetIndex.Status.RUNNING);
    }
}
