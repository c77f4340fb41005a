package io.reactivep2p.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.reactivep2p.NodeConfig;
import io.reactivep2p.P2pNode;
import org.junit.jupiter.api.Test;

/**
 * The library's layering, as the README's architecture sketch draws it, checked on its
 * compiled classes (tests excluded):
 *
 * <pre>
 *   perf, topology, sim      tools on top of the facade
 *   io.reactivep2p           the facade: P2pNode, NodeConfig
 *   metrics                  observes the components below
 *   discovery  gossip  mempool
 *   peer
 *   transport
 *   protocol
 *   runtime                  time, randomness, threads, channels: used by every layer
 *   noise                    the Noise Protocol Framework: uses nothing of the library (the JDK's
 *                            primitives and BouncyCastle's X25519)
 * </pre>
 *
 * A layer uses only layers below it; discovery, gossip and mempool do not use each other; no
 * package is part of a cycle. The command line, the benchmarks and the examples are modules of
 * their own on top of the library: Maven's module graph keeps them out of it.
 */
class LayeringTest {

    private static final String ROOT = "io.reactivep2p";

    private static final JavaClasses LIBRARY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages(ROOT);

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("tools").definedBy(ROOT + ".perf..", ROOT + ".topology..", ROOT + ".sim..")
                .layer("facade").definedBy(ROOT)
                .layer("metrics").definedBy(ROOT + ".metrics..")
                .layer("discovery").definedBy(ROOT + ".discovery..")
                .layer("gossip").definedBy(ROOT + ".gossip..")
                .layer("mempool").definedBy(ROOT + ".mempool..")
                .layer("peer").definedBy(ROOT + ".peer..")
                .layer("transport").definedBy(ROOT + ".transport..")
                .layer("protocol").definedBy(ROOT + ".protocol..")
                .layer("runtime").definedBy(ROOT + ".runtime..")
                .layer("noise").definedBy(ROOT + ".noise..")
                .whereLayer("tools").mayNotBeAccessedByAnyLayer()
                .whereLayer("facade").mayOnlyBeAccessedByLayers("tools")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("facade", "tools")
                .whereLayer("discovery").mayOnlyBeAccessedByLayers("metrics", "facade", "tools")
                .whereLayer("gossip").mayOnlyBeAccessedByLayers("metrics", "facade", "tools")
                .whereLayer("mempool").mayOnlyBeAccessedByLayers("metrics", "facade", "tools")
                .whereLayer("peer").mayOnlyBeAccessedByLayers("discovery", "gossip", "mempool", "metrics", "facade",
                        "tools")
                .whereLayer("transport").mayOnlyBeAccessedByLayers("peer", "discovery", "gossip", "mempool",
                        "metrics", "facade", "tools")
                .whereLayer("protocol").mayOnlyBeAccessedByLayers("transport", "peer", "discovery", "gossip",
                        "mempool", "metrics", "facade", "tools")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("protocol", "transport", "peer", "discovery",
                        "gossip", "mempool", "metrics", "facade", "tools")
                .whereLayer("noise").mayOnlyBeAccessedByLayers("protocol", "transport", "peer", "discovery",
                        "gossip", "mempool", "metrics", "facade", "tools");
        layers.check(LIBRARY);
    }

    @Test
    void theNoiseFrameworkUsesNothingOfTheLibrary() {
        classes().that().resideInAPackage(ROOT + ".noise..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(ROOT + ".noise..", "java..", "javax..",
                        "org.bouncycastle.math.ec.rfc7748..")
                .because("it is the specification's objects on the JDK's primitives, checked by its test vectors")
                .check(LIBRARY);
    }

    @Test
    void nothingBelowTheFacadeKnowsTheNodeOrItsConfiguration() {
        noClasses().that().resideOutsideOfPackages(ROOT, ROOT + ".perf..", ROOT + ".topology..", ROOT + ".sim..")
                .should().dependOnClassesThat().belongToAnyOf(NodeConfig.class, P2pNode.class)
                .because("each concern receives its own settings and the runtime, never the facade's")
                .check(LIBRARY);
    }

    @Test
    void noPackageIsPartOfACycle() {
        // Every package its own slice, the facade's included (a pattern such as
        // "io.reactivep2p.(*).." would leave the root package out).
        SliceAssignment byPackage = new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String pkg = javaClass.getPackageName();
                return pkg.equals(ROOT) || pkg.startsWith(ROOT + ".")
                        ? SliceIdentifier.of(pkg)
                        : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "every package of " + ROOT;
            }
        };
        slices().assignedFrom(byPackage).should().beFreeOfCycles().check(LIBRARY);
    }
}
