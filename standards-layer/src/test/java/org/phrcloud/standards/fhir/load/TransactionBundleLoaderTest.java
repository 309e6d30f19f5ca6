package org.phrcloud.standards.fhir.load;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TransactionBundleLoaderTest {
    private final TransactionBundleLoader loader =
            new TransactionBundleLoader(FhirContext.forR4Cached(), "http://127.0.0.1:8080/fhir/", () -> null);

    @Test
    void rewritesEveryEntryAsPutAtItsOwnId() {
        Bundle in = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient p = new Patient();
        p.setId("1e621f4c-db30-c273-49e9-2dcad508a9cb");
        in.addEntry().setFullUrl("urn:uuid:1e621f4c-db30-c273-49e9-2dcad508a9cb").setResource(p)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        Observation o = new Observation();
        o.setSubject(new Reference("urn:uuid:1e621f4c-db30-c273-49e9-2dcad508a9cb"));
        in.addEntry().setFullUrl("urn:uuid:bc9bf310-de02-de09-9a65-ced686aa5a59").setResource(o)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        Organization org = new Organization();
        org.setId("74ab949d-17ac-3309-83a0-13b4405c66aa");
        in.addEntry().setFullUrl("urn:uuid:74ab949d-17ac-3309-83a0-13b4405c66aa").setResource(org).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Organization").setIfNoneExist("identifier=x|1");

        Bundle out = loader.asIdempotentTransaction(in);

        assertThat(out.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
        assertThat(out.getEntry()).extracting(e -> e.getRequest().getMethod()).containsOnly(Bundle.HTTPVerb.PUT);
        assertThat(out.getEntry()).extracting(e -> e.getRequest().getUrl()).containsExactly(
                "Patient/1e621f4c-db30-c273-49e9-2dcad508a9cb",
                "Observation/bc9bf310-de02-de09-9a65-ced686aa5a59",
                "Organization/74ab949d-17ac-3309-83a0-13b4405c66aa");
        assertThat(out.getEntry()).extracting(e -> e.getRequest().getIfNoneExist()).containsOnlyNulls();
        assertThat(out.getEntry().get(1).getFullUrl())
                .isEqualTo("http://127.0.0.1:8080/fhir/Observation/bc9bf310-de02-de09-9a65-ced686aa5a59");
        assertThat(((Observation) out.getEntry().get(1).getResource()).getSubject().getReference())
                .isEqualTo("Patient/1e621f4c-db30-c273-49e9-2dcad508a9cb");
    }

    @Test
    void refusesAnEntryWithoutAnId() {
        Bundle in = new Bundle();
        in.addEntry().setResource(new Patient()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        assertThatThrownBy(() -> loader.asIdempotentTransaction(in))
                .hasMessageStartingWith("PHR-FHIR-0102");
    }
}
