package dev.indelible.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of STYLE.md, enforced: formats ← storage ← log ← replication ← server ← cli;
 * formats ← client; only replication imports Apache Ratis;
 * formats stays JDK-only so that anyone can embed the verifier; printing belongs to the CLI.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.indelible");
    }

    @Test
    void formatsDependsOnTheJdkOnly() {
        noClasses()
                .that()
                .resideInAPackage("dev.indelible.formats..")
                .should()
                .dependOnClassesThat()
                .resideOutsideOfPackages("dev.indelible.formats..", "java..", "javax..")
                .check(classes);
    }

    @Test
    void storageDoesNotDependOnHigherLayers() {
        noClasses()
                .that()
                .resideInAPackage("dev.indelible.storage..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.indelible.log..",
                        "dev.indelible.server..",
                        "dev.indelible.cli..",
                        "dev.indelible.client..")
                .check(classes);
    }

    @Test
    void logDoesNotDependOnServerClientOrCli() {
        noClasses()
                .that()
                .resideInAPackage("dev.indelible.log..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.indelible.server..", "dev.indelible.cli..", "dev.indelible.client..", "io.javalin..")
                .check(classes);
    }

    @Test
    void logAndStorageDoNotDependOnReplication() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.indelible.log..", "dev.indelible.storage..", "dev.indelible.formats..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.indelible.replication..")
                .check(classes);
    }

    @Test
    void onlyReplicationImportsRatis() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.indelible.replication..")
                .and()
                .resideInAPackage("dev.indelible..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.ratis..")
                .check(classes);
    }

    @Test
    void replicationDoesNotDependOnServerOrCli() {
        noClasses()
                .that()
                .resideInAPackage("dev.indelible.replication..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.indelible.server..", "dev.indelible.cli..", "io.javalin..")
                .check(classes);
    }

    @Test
    void serverDoesNotDependOnCli() {
        noClasses()
                .that()
                .resideInAPackage("dev.indelible.server..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.indelible.cli..")
                .check(classes);
    }

    @Test
    void clientDependsOnFormatsOnlyAmongOurModules() {
        noClasses()
                .that()
                .resideInAPackage("dev.indelible.client..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.indelible.storage..",
                        "dev.indelible.log..",
                        "dev.indelible.server..",
                        "dev.indelible.cli..")
                .check(classes);
    }

    @Test
    void onlyTheCliPrintsToTheConsole() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.indelible.cli..")
                .should()
                .accessField(System.class, "out")
                .orShould()
                .accessField(System.class, "err")
                .check(classes);
    }

    @Test
    void onlyTheClockAdapterReadsTheWallClockInTheAppendPath() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.indelible.log..",
                        "dev.indelible.storage..",
                        "dev.indelible.formats..",
                        "dev.indelible.replication..")
                .should()
                .callMethod(System.class, "currentTimeMillis")
                .orShould()
                .callMethod(java.time.Instant.class, "now")
                .check(classes);
    }
}
