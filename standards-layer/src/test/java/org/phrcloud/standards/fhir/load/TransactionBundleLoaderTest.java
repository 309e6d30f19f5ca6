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
    void directoryResourcesWithAnIdentifierAreConditionalUpdatesByThatIdentifier() {
        Bundle in = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        org.hl7.fhir.r4.model.Practitioner doctor = new org.hl7.fhir.r4.model.Practitioner();
        doctor.setId("0000016d-b3f2-0c5b-0000-00000000a1b2");
        doctor.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue("9999912345");
        in.addEntry().setFullUrl("urn:uuid:0000016d-b3f2-0c5b-0000-00000000a1b2").setResource(doctor).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Practitioner").setIfNoneExist("identifier=http://hl7.org/fhir/sid/us-npi|9999912345");
        org.hl7.fhir.r4.model.PractitionerRole role = new org.hl7.fhir.r4.model.PractitionerRole();
        role.setId("6c3f0bd4-0d1e-4b5a-9a3e-3f1c1b2a0c01");
        role.setPractitioner(new Reference("urn:uuid:0000016d-b3f2-0c5b-0000-00000000a1b2"));
        in.addEntry().setFullUrl("urn:uuid:6c3f0bd4-0d1e-4b5a-9a3e-3f1c1b2a0c01").setResource(role).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("PractitionerRole");
        org.hl7.fhir.r4.model.Location ward = new org.hl7.fhir.r4.model.Location();
        ward.setId("f1e2d3c4-0000-4000-8000-000000000001");
        ward.addIdentifier().setSystem("urn:x:a|b,c$d\\e").setValue("W 1");
        in.addEntry().setFullUrl("urn:uuid:f1e2d3c4-0000-4000-8000-000000000001").setResource(ward).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Location");

        Bundle out = loader.asIdempotentTransaction(in);

        assertThat(out.getEntry()).extracting(e -> e.getRequest().getMethod()).containsOnly(Bundle.HTTPVerb.PUT);
        assertThat(out.getEntry()).extracting(e -> e.getRequest().getUrl()).containsExactly(
                "Practitioner?identifier=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Fus-npi%7C9999912345",
                "PractitionerRole/6c3f0bd4-0d1e-4b5a-9a3e-3f1c1b2a0c01",
                "Location?identifier=urn%3Ax%3Aa%5C%7Cb%5C%2Cc%5C%24d%5C%5Ce%7CW+1");
        assertThat(out.getEntry().get(0).getFullUrl()).as("the server resolves it").isEqualTo("urn:uuid:0000016d-b3f2-0c5b-0000-00000000a1b2");
        assertThat(out.getEntry().get(0).getResource().getIdElement().getIdPart()).as("no id on a conditional update").isNull();
        assertThat(((org.hl7.fhir.r4.model.PractitionerRole) out.getEntry().get(1).getResource()).getPractitioner().getReference())
                .isEqualTo("urn:uuid:0000016d-b3f2-0c5b-0000-00000000a1b2");
    }

    @Test
    void refusesAnEntryWithoutAnId() {
        Bundle in = new Bundle();
        in.addEntry().setResource(new Patient()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        assertThatThrownBy(() -> loader.asIdempotentTransaction(in))
                .hasMessageStartingWith("PHR-FHIR-0102");
    }
}
