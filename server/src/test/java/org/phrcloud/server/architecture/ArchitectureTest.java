package org.phrcloud.server.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The structure docs/ARCHITECTURE.md describes, checked on the compiled classes of every module the server
 * assembles (the portal, admin-ui, has its own test): no package depends on itself through other packages, and
 * the layers point down only.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.phrcloud");
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.phrcloud.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void layersOneAndTwoDependOnNothingOfOurs() {
        noClasses().that().resideInAPackage("org.phrcloud.identity..")
                .should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.ledger..", "org.phrcloud.core..",
                        "org.phrcloud.audit..", "org.phrcloud.consent..", "org.phrcloud.standards..", "org.phrcloud.research..",
                        "org.phrcloud.api..", "org.phrcloud.server..")
                .check(classes);
        noClasses().that().resideInAPackage("org.phrcloud.ledger..")
                .should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.identity..", "org.phrcloud.core..",
                        "org.phrcloud.audit..", "org.phrcloud.consent..", "org.phrcloud.standards..", "org.phrcloud.research..",
                        "org.phrcloud.api..", "org.phrcloud.server..")
                .check(classes);
    }

    @Test
    void theDatabaseModuleDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("org.phrcloud.database..")
                .should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.identity..", "org.phrcloud.ledger..",
                        "org.phrcloud.core..", "org.phrcloud.audit..", "org.phrcloud.consent..", "org.phrcloud.standards..",
                        "org.phrcloud.research..", "org.phrcloud.api..", "org.phrcloud.server..")
                .check(classes);
    }

    @Test
    void theAnonymizationEngineIsPlainJava() {
        noClasses().that().resideInAPackage("org.phrcloud.research.anonymization..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "javax.crypto..", "org.phrcloud.research.anonymization..")
                .check(classes);
    }

    @Test
    void featuresDoNotReachIntoTheAssemblyOrTheApis() {
        noClasses().that().resideInAnyPackage("org.phrcloud.core..", "org.phrcloud.audit..", "org.phrcloud.consent..",
                        "org.phrcloud.standards..", "org.phrcloud.research..")
                .should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.api..", "org.phrcloud.server..")
                .check(classes);
    }

    @Test
    void auditKnowsNothingOfConsentOrTheFhirServer() {
        noClasses().that().resideInAPackage("org.phrcloud.audit..")
                .should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.consent..", "org.phrcloud.standards..",
                        "org.phrcloud.research..")
                .check(classes);
    }

    @Test
    void consentKnowsNothingOfTheFhirServerOrResearch() {
        noClasses().that().resideInAPackage("org.phrcloud.consent..")
                .should().dependOnClassesThat().resideInAnyPackage("org.phrcloud.standards..", "org.phrcloud.research..")
                .check(classes);
    }
}
