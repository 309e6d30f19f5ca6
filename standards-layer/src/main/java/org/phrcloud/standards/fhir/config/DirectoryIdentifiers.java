package org.phrcloud.standards.fhir.config;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.SearchParameter;

import java.util.List;

/**
 * Business identifiers of directory resources are unique (issue 25, data from more than one source): a Practitioner,
 * PractitionerRole, Organization or Location whose identifier ({@code system|value}, e.g. an NPI) another one of its
 * type already carries is refused, whatever the source (FHIR clients, the bundle loader, other institutions), so a
 * second source merges into the existing resource (conditional update by identifier) instead of duplicating it and
 * making every conditional reference to it ambiguous (HAPI-2207).
 *
 * <p>Enforced by the database through HAPI FHIR JPA's unique combo search parameters: one composite SearchParameter per
 * type over the type's {@code identifier} parameter, marked with HAPI's extension
 * {@value #HAPI_UNIQUE} (its unique index table {@code HFJ_IDX_CMP_STRING_UNIQ}); a duplicate is refused with 409
 * (HAPI-1093). Created at start when missing (conditional create on its url), then the search parameter registry is
 * refreshed.
 */
public final class DirectoryIdentifiers {
    /** HAPI FHIR's extension marking a composite SearchParameter as a unique index. */
    public static final String HAPI_UNIQUE = "http://hapifhir.io/fhir/StructureDefinition/sp-unique";
    /** The directory types whose identifiers are unique per type. */
    public static final List<String> TYPES = List.of("Practitioner", "PractitionerRole", "Organization", "Location");
    /** The canonical url of the unique SearchParameter of a type: this prefix plus the type. */
    public static final String URL_PREFIX = "https://phr-cloud.org/fhir/SearchParameter/unique-identifier-";

    private DirectoryIdentifiers() {
    }

    /** Ensures the unique SearchParameters exist and are active. */
    public static void ensure(DaoRegistry daos, ISearchParamRegistry registry) {
        for (String type : TYPES) {
            SearchParameter unique = new SearchParameter();
            unique.addExtension(HAPI_UNIQUE, new BooleanType(true));
            unique.setUrl(URL_PREFIX + type);
            unique.setName("unique-identifier-" + type);
            unique.setStatus(Enumerations.PublicationStatus.ACTIVE);
            unique.setCode("unique-identifier");
            unique.addBase(type);
            unique.setType(Enumerations.SearchParamType.COMPOSITE);
            unique.setExpression(type);
            unique.setDescription("A " + type + "'s business identifier (system|value) is unique among " + type + "s");
            unique.addComponent().setDefinition("http://hl7.org/fhir/SearchParameter/" + type + "-identifier").setExpression(type);
            daos.getResourceDao(SearchParameter.class).create(unique, "SearchParameter?url=" + unique.getUrl(), new SystemRequestDetails());
        }
        registry.forceRefresh();
    }
}
