package org.phrcloud.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link FhirStorageContract} on H2, the embedded default. */
class H2StorageTest extends FhirStorageContract {
    @BeforeAll
    static void start() {
        boot("jdbc:h2:mem:fhir-storage-test;DB_CLOSE_DELAY=-1", "sa", "");
    }
}
