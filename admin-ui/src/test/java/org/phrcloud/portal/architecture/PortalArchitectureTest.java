package org.phrcloud.portal.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The portal's packages form no cycle, and the portal reaches the platform only over HTTP (/fhir, /api). */
class PortalArchitectureTest {
    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("org.phrcloud.portal");

    @Test
    void noPackageCycles() {
        slices().matching("org.phrcloud.portal.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void thePortalUsesThePlatformOnlyThroughItsHttpInterfaces() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.identity..", "org.phrcloud.ledger..",
                "org.phrcloud.core..", "org.phrcloud.audit..", "org.phrcloud.consent..", "org.phrcloud.standards..",
                "org.phrcloud.research..", "org.phrcloud.api..", "org.phrcloud.server..").check(classes);
    }
}
