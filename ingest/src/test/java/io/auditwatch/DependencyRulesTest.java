package io.auditwatch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The dependency rules of {@code ingest/DESIGN.md} ("Layout"), checked on the compiled main classes of all three
 * modules: a forbidden import fails the build, so the layout a newcomer reads is the one that runs.
 */
class DependencyRulesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.auditwatch");
    }

    @Test
    void heartbeatAndAlertingNeverSeeIngestOrTheService() {
        noClasses().that().resideInAnyPackage("io.auditwatch.heartbeat..", "io.auditwatch.alerting..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest..", "io.auditwatch.service..")
                .check(classes);
    }

    @Test
    void alertingNeverSeesHeartbeat() {
        noClasses().that().resideInAPackage("io.auditwatch.alerting..")
                .should().dependOnClassesThat().resideInAPackage("io.auditwatch.heartbeat..")
                .check(classes);
    }

    @Test
    void theDataPathKnowsNothingOfTheService() {
        noClasses().that().resideInAPackage("io.auditwatch.ingest..")
                .should().dependOnClassesThat().resideInAPackage("io.auditwatch.service..")
                .check(classes);
    }

    @Test
    void onlyTransportAndTheFrameDecoderKnowNetty() {
        noClasses().that().resideInAnyPackage("io.auditwatch.ingest.pipeline..",
                        "io.auditwatch.ingest.classify..", "io.auditwatch.ingest.envelope..",
                        "io.auditwatch.ingest.kafka..", "io.auditwatch.ingest.spool..", "io.auditwatch.ingest.log..",
                        "io.auditwatch.ingest.gelf..", "io.auditwatch.ingest.inflate..",
                        "io.auditwatch.heartbeat..", "io.auditwatch.alerting..")
                .should().dependOnClassesThat().resideInAPackage("io.netty.channel..")
                .check(classes);
    }

    /**
     * transport -> pipeline -> (syslog, fluentd, gelf, classify, envelope) -> kafka <- spool; each arrow
     * one way. The protocol packages share only {@code inflate}.
     */
    @Test
    void theDataPathRunsOneWay() {
        noClasses().that().resideInAPackage("io.auditwatch.ingest.pipeline..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.transport..",
                        "io.auditwatch.ingest.spool..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.auditwatch.ingest.syslog..", "io.auditwatch.ingest.classify..",
                        "io.auditwatch.ingest.fluentd..", "io.auditwatch.ingest.gelf..", "io.auditwatch.ingest.inflate..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.transport..",
                        "io.auditwatch.ingest.pipeline..", "io.auditwatch.ingest.envelope..",
                        "io.auditwatch.ingest.kafka..", "io.auditwatch.ingest.spool..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.auditwatch.ingest.fluentd..", "io.auditwatch.ingest.gelf..",
                        "io.auditwatch.ingest.inflate..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.syslog..",
                        "io.auditwatch.ingest.classify..")
                .check(classes);
        noClasses().that().resideInAPackage("io.auditwatch.ingest.envelope..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.transport..",
                        "io.auditwatch.ingest.pipeline..", "io.auditwatch.ingest.kafka..", "io.auditwatch.ingest.spool..")
                .check(classes);
        noClasses().that().resideInAPackage("io.auditwatch.ingest.kafka..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.transport..",
                        "io.auditwatch.ingest.pipeline..", "io.auditwatch.ingest.syslog..",
                        "io.auditwatch.ingest.classify..", "io.auditwatch.ingest.envelope..",
                        "io.auditwatch.ingest.spool..")
                .check(classes);
        noClasses().that().resideInAPackage("io.auditwatch.ingest.spool..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.transport..",
                        "io.auditwatch.ingest.pipeline..", "io.auditwatch.ingest.syslog..",
                        "io.auditwatch.ingest.classify..", "io.auditwatch.ingest.envelope..")
                .check(classes);
        noClasses().that().resideInAPackage("io.auditwatch.ingest.log..")
                .should().dependOnClassesThat().resideInAnyPackage("io.auditwatch.ingest.transport..",
                        "io.auditwatch.ingest.pipeline..", "io.auditwatch.ingest.syslog..",
                        "io.auditwatch.ingest.classify..", "io.auditwatch.ingest.envelope..",
                        "io.auditwatch.ingest.kafka..", "io.auditwatch.ingest.spool..")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.auditwatch.(**)").should().beFreeOfCycles().check(classes);
    }
}
