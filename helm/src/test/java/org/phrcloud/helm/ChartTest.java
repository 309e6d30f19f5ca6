package org.phrcloud.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart {@code helm/phr} as Helm itself sees it (helm-java: Helm's library, no binary, offline): strict lint,
 * rendering of every {@code ci/*-values.yaml} at the oldest and newest Kubernetes versions we support, every rendered
 * object parsed by the fabric8 Kubernetes model with unknown fields refused, and the deployment policies of
 * ARCHITECTURE.md "Running it" checked object by object.
 */
class ChartTest {
    static final Path CHART = Path.of("phr").toAbsolutePath();
    /** The oldest and the newest Kubernetes minor versions the chart is rendered for. */
    static final List<String> KUBE_VERSIONS = List.of("1.29.0", "1.33.0");
    static final KubernetesSerialization KUBE = new KubernetesSerialization();

    @BeforeAll
    static void helmHome() throws IOException {
        // Helm reads its home and kube config from the environment; neither is needed to lint and render
        Path home = Files.createDirectories(Path.of("target", "helm-home").toAbsolutePath());
        System.setProperty("user.home", home.toString());
    }

    static Stream<Path> valueSets() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList().stream();
        }
    }

    static List<HasMetadata> render(Path values, String kubeVersion, Map<String, Object> set) {
        var template = new Helm(CHART).template().withName("phr").withNamespace("health").withKubeVersion(kubeVersion)
                .withValuesFile(values);
        set.forEach(template::set);
        String yaml = template.call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
                objects.add(KUBE.unmarshal(document));
            }
        }
        return objects;
    }

    static List<HasMetadata> render(Path values) {
        return render(values, KUBE_VERSIONS.get(1), Map.of());
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void lintsStrictlyWithEachValueSet(Path values) throws IOException {
        // helm lint reads the chart's own values.yaml: lint a copy whose values.yaml has the value set merged in
        Path copy = Files.createTempDirectory(Path.of("target"), "chart-").resolve("phr");
        copyTree(CHART, copy);
        Map<String, Object> merged = deepMerge(yamlMap(CHART.resolve("values.yaml")), yamlMap(values));
        Files.writeString(copy.resolve("values.yaml"), KUBE.asYaml(merged));
        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void rendersAtEachKubernetesVersionIntoObjectsWithoutUnknownFields(Path values) {
        for (String kubeVersion : KUBE_VERSIONS) {
            List<HasMetadata> objects = render(values, kubeVersion, Map.of());
            assertThat(objects).as("objects rendered with " + values.getFileName()).isNotEmpty();
            for (HasMetadata o : objects) {
                List<String> unknown = new ArrayList<>();
                if (!(o instanceof GenericKubernetesResource)) {
                    unknownFields(o, o.getKind() + "/" + o.getMetadata().getName(), unknown, new IdentityHashMap<>());
                }
                assertThat(unknown).as("fields the Kubernetes model does not know (%s, Kubernetes %s)", values.getFileName(), kubeVersion).isEmpty();
                assertThat(o.getMetadata().getLabels()).as(o.getKind() + "/" + o.getMetadata().getName())
                        .containsEntry("app.kubernetes.io/instance", "phr").containsEntry("app.kubernetes.io/name", "phr");
            }
        }
        System.out.println("rendered with " + values.getFileName() + ": " + kinds(render(values)));
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyContainerIsRestrictedAndHasResourcesAndEveryServingContainerHasProbes(Path values) {
        for (HasMetadata o : render(values)) {
            PodTemplateSpec pod = podTemplate(o);
            if (pod == null) {
                continue;
            }
            PodSpec spec = pod.getSpec();
            String where = o.getKind() + "/" + o.getMetadata().getName();
            assertThat(spec.getSecurityContext().getRunAsNonRoot()).as(where + " runAsNonRoot").isTrue();
            assertThat(spec.getSecurityContext().getSeccompProfile().getType()).as(where).isEqualTo("RuntimeDefault");
            assertThat(spec.getAutomountServiceAccountToken()).as(where + " needs no Kubernetes API token").isFalse();
            List<Container> all = new ArrayList<>(spec.getContainers());
            all.addAll(spec.getInitContainers());
            for (Container c : all) {
                String container = where + " container " + c.getName();
                var security = c.getSecurityContext();
                assertThat(security).as(container).isNotNull();
                assertThat(security.getRunAsNonRoot()).as(container + " runAsNonRoot").isTrue();
                assertThat(security.getReadOnlyRootFilesystem()).as(container + " readOnlyRootFilesystem").isTrue();
                assertThat(security.getAllowPrivilegeEscalation()).as(container + " allowPrivilegeEscalation").isFalse();
                assertThat(security.getCapabilities().getDrop()).as(container + " capabilities").containsExactly("ALL");
                assertThat(security.getCapabilities().getAdd()).as(container).isNullOrEmpty();
                assertThat(security.getSeccompProfile().getType()).as(container).isEqualTo("RuntimeDefault");
                assertThat(c.getResources().getRequests()).as(container + " requests").containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(container + " limits").containsKeys("cpu", "memory");
                assertThat(c.getImage()).as(container + " image pinned to a version").matches("[^@]+:[A-Za-z0-9_][A-Za-z0-9_.-]*(@sha256:[0-9a-f]{64})?")
                        .doesNotContain(":latest");
            }
            if (!(o instanceof Job)) {
                for (Container c : spec.getContainers()) {
                    String container = where + " container " + c.getName();
                    assertThat(c.getStartupProbe()).as(container + " startupProbe").isNotNull();
                    assertThat(c.getLivenessProbe()).as(container + " livenessProbe").isNotNull();
                    assertThat(c.getReadinessProbe()).as(container + " readinessProbe").isNotNull();
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyPodIsDeniedByDefaultAndAllowedOnlyItsOwnFlows(Path values) {
        List<HasMetadata> objects = render(values);
        List<NetworkPolicy> policies = objects.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast).toList();
        NetworkPolicy deny = policies.stream().filter(p -> p.getMetadata().getName().equals("phr-default-deny")).findFirst().orElseThrow();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
        assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
        for (HasMetadata o : objects) {
            PodTemplateSpec pod = podTemplate(o);
            if (pod == null) {
                continue;
            }
            Map<String, String> labels = pod.getMetadata().getLabels();
            String where = o.getKind() + "/" + o.getMetadata().getName();
            assertThat(selects(deny.getSpec().getPodSelector().getMatchLabels(), labels)).as(where + " under the default deny").isTrue();
            assertThat(policies.stream().filter(p -> p != deny && !p.getMetadata().getName().endsWith("-dns"))
                    .filter(p -> selects(p.getSpec().getPodSelector().getMatchLabels(), labels)))
                    .as(where + " has a policy of its own flows").hasSize(1);
        }
    }

    @Test
    void theValidatorsJsonRpcIsOpenToTheServerAndTheContractsJobOnlyAndTheirPeerPortToEachOther() {
        List<HasMetadata> objects = render(CHART.resolve("ci/cloudnative-pg-values.yaml"));
        NetworkPolicy besu = named(objects, NetworkPolicy.class, "phr-besu");
        assertThat(besu.getSpec().getIngress()).hasSize(2);
        assertThat(besu.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(8545);
        assertThat(besu.getSpec().getIngress().get(0).getFrom()).extracting(p -> p.getPodSelector().getMatchLabels())
                .containsExactly(Map.of("app.kubernetes.io/name", "phr", "app.kubernetes.io/instance", "phr", "app.kubernetes.io/component", "server"),
                        Map.of("app.kubernetes.io/name", "phr", "app.kubernetes.io/instance", "phr", "app.kubernetes.io/component", "contracts"));
        assertThat(besu.getSpec().getIngress().get(0).getFrom()).allSatisfy(p -> assertThat(p.getNamespaceSelector()).isNull());
        assertThat(besu.getSpec().getIngress().get(1).getPorts().get(0).getPort().getIntVal()).isEqualTo(30303);
        assertThat(onlyPeer(besu.getSpec().getIngress().get(1).getFrom())).containsEntry("app.kubernetes.io/component", "besu");
        NetworkPolicy database = named(objects, NetworkPolicy.class, "phr-database");
        assertThat(database.getSpec().getIngress().get(0).getFrom()).extracting(p -> p.getPodSelector().getMatchLabels().get("app.kubernetes.io/component"))
                .containsExactly("server", "keycloak", "database");
        NetworkPolicy server = named(objects, NetworkPolicy.class, "phr-server");
        assertThat(server.getSpec().getIngress()).hasSize(1);
        assertThat(server.getSpec().getIngress().get(0).getFrom().get(0).getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
        assertThat(server.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(8080);
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void servicesAndDisruptionBudgetsSelectTheirPods(Path values) {
        List<HasMetadata> objects = render(values);
        List<Map<String, String>> podLabels = objects.stream().map(ChartTest::podTemplate).filter(java.util.Objects::nonNull)
                .map(p -> p.getMetadata().getLabels()).toList();
        for (HasMetadata o : objects) {
            Map<String, String> selector = o instanceof Service s ? s.getSpec().getSelector()
                    : o instanceof PodDisruptionBudget b ? b.getSpec().getSelector().getMatchLabels() : null;
            if (selector == null) {
                continue;
            }
            String where = o.getKind() + "/" + o.getMetadata().getName();
            assertThat(selector).as(where).isNotEmpty();
            assertThat(podLabels.stream().filter(labels -> selects(selector, labels))).as(where + " selects the pods of one workload").hasSize(1);
        }
        for (HasMetadata o : objects) {
            if (o instanceof StatefulSet s) {
                assertThat(s.getSpec().getPodManagementPolicy()).as(o.getMetadata().getName()).isEqualTo("Parallel");
                Service headless = named(objects, Service.class, s.getSpec().getServiceName());
                assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
            }
        }
    }

    @Test
    void theServerRollsOnChangedConfigurationWithNoReplicaLessAndSecretsAsFiles() {
        Deployment server = named(render(CHART.resolve("ci/external-values.yaml")), Deployment.class, "phr-server");
        assertThat(server.getSpec().getReplicas()).isEqualTo(3);
        assertThat(server.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(server.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/config");
        Container c = server.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.example.org/phr-cloud/server:0.1.0@sha256:0f3e7b5a2c9d8e1f4a6b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health/started");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        // no secret value in the ConfigMap or the environment: files under /run/secrets/phr, the database password by reference
        var config = named(render(CHART.resolve("ci/external-values.yaml")), io.fabric8.kubernetes.api.model.ConfigMap.class, "phr-server").getData();
        assertThat(config).containsEntry("PHR_MASTER_KEYS_FILE", "/run/secrets/phr/master-keys")
                .containsEntry("PHR_CHAIN_SENDER_KEY_FILE", "/run/secrets/phr/chain-sender.key")
                .containsEntry("PHR_DB_URL", "jdbc:postgresql://pg.internal.example.org:5432/phr")
                .containsEntry("PHR_OIDC_ISSUER", "https://auth.example.org/realms/phr")
                .containsEntry("PHR_CHAIN_RPC_URL", "http://besu-rpc.chain.example.org:8545")
                .containsEntry("PHR_INSTITUTION_ID", "st-mary")
                .containsEntry("PHR_RESEARCH_DIR", "/var/lib/phr/research");
        // research releases on one volume every replica mounts (any replica serves a download)
        assertThat(named(render(CHART.resolve("ci/external-values.yaml")), io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class,
                "phr-research").getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/var/lib/phr/research"));
        // only the platform's endpoints are published; /health stays inside the cluster
        assertThat(named(render(CHART.resolve("ci/external-values.yaml")), io.fabric8.kubernetes.api.model.networking.v1.Ingress.class, "phr")
                .getSpec().getRules().get(0).getHttp().getPaths()).extracting(p -> p.getPath()).containsExactly("/fhir", "/api", "/portal", "/openapi");
        // portal sessions live in one replica: the Ingress keeps a browser with it by cookie
        assertThat(named(render(CHART.resolve("ci/external-values.yaml")), io.fabric8.kubernetes.api.model.networking.v1.Ingress.class, "phr")
                .getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie")
                .containsEntry("nginx.ingress.kubernetes.io/session-cookie-secure", "true");
        assertThat(c.getEnv()).allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("phr-db"));
    }

    @Test
    void onlyTheTrialValueSetUsesGeneratedSecretsAndThoseAreMadeOnceAtInstall() throws IOException {
        for (Path values : valueSets().toList()) {
            boolean insecure = values.getFileName().toString().startsWith("dev-insecure");
            List<HasMetadata> objects = render(values);
            // generated secrets are pre-install hooks (made once, so an upgrade never replaces the keys that encrypt the
            // stored demographics): never part of the release's manifest
            assertThat(objects).as(values.getFileName().toString()).noneMatch(Secret.class::isInstance);
            List<String> referenced = new ArrayList<>();
            for (HasMetadata o : objects) {
                PodTemplateSpec pod = podTemplate(o);
                if (pod != null) {
                    pod.getSpec().getVolumes().stream().filter(v -> v.getSecret() != null).forEach(v -> referenced.add(v.getSecret().getSecretName()));
                    pod.getSpec().getContainers().forEach(c -> c.getEnv().stream().filter(e -> e.getValueFrom() != null)
                            .forEach(e -> referenced.add(e.getValueFrom().getSecretKeyRef().getName())));
                }
            }
            if (insecure) {
                assertThat(referenced).as(values.getFileName().toString()).contains("phr-server-dev", "phr-db-dev", "phr-keycloak-admin-dev");
            } else {
                assertThat(referenced).as(values.getFileName().toString()).isNotEmpty().noneMatch(n -> n.endsWith("-dev"));
            }
        }
        String hooks = Files.readString(CHART.resolve("templates/server-secret-dev.yaml")) + Files.readString(CHART.resolve("templates/keycloak.yaml"));
        assertThat(hooks.split("helm.sh/hook: pre-install", -1)).as("each generated Secret is a pre-install hook").hasSize(4);
    }

    @Test
    void withoutAnExistingSecretTheChartRefusesToRenderUnlessInsecureDefaultsAreAsked() {
        Path external = CHART.resolve("ci/external-values.yaml");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("app.secrets.existingSecret", "")))
                .hasMessageContaining("app.secrets: set its existingSecret (the chart generates secrets only with dev.insecureDefaults=true)");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("postgresql.external.existingSecret", "")))
                .hasMessageContaining("postgresql.external: set its existingSecret");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("institution.id", "")))
                .hasMessageContaining("institution.id is required");
    }

    @Test
    void valuesThatBreakTheSchemaAreRefused() {
        Path external = CHART.resolve("ci/external-values.yaml");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("app.replicaCount", 3)))
                .hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("app.image.tag", "latest")))
                .hasMessageContaining("tag");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("keycloak.mode", "embedded")))
                .hasMessageContaining("mode");
        assertThatThrownBy(() -> render(external, KUBE_VERSIONS.get(1), Map.of("besu.validators", 3)))
                .hasMessageContaining("validators");
    }

    @Test
    void theValidatorsPeerByDnsNameWithFreeGasAndTheirKeysFromTheSecret() {
        List<HasMetadata> objects = render(CHART.resolve("ci/cloudnative-pg-values.yaml"));
        var peers = named(objects, io.fabric8.kubernetes.api.model.ConfigMap.class, "phr-besu").getData().get("static-nodes.json");
        assertThat(KUBE.unmarshal(peers, List.class)).containsExactly(
                "enode://" + "01".repeat(64) + "@phr-besu-0.phr-besu-headless.health.svc.cluster.local:30303",
                "enode://" + "02".repeat(64) + "@phr-besu-1.phr-besu-headless.health.svc.cluster.local:30303",
                "enode://" + "03".repeat(64) + "@phr-besu-2.phr-besu-headless.health.svc.cluster.local:30303",
                "enode://" + "04".repeat(64) + "@phr-besu-3.phr-besu-headless.health.svc.cluster.local:30303");
        StatefulSet besu = named(objects, StatefulSet.class, "phr-besu");
        assertThat(besu.getSpec().getReplicas()).isEqualTo(4);
        String command = String.join(" ", besu.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand());
        assertThat(command).contains("--min-gas-price=0").contains("--node-private-key-file=/etc/besu/keys/validator-${HOSTNAME##*-}")
                .contains("--genesis-file=/etc/besu/genesis/genesis.json");
        assertThat(named(objects, PodDisruptionBudget.class, "phr-besu").getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(besu.getSpec().getVolumeClaimTemplates()).hasSize(1);
        assertThatThrownBy(() -> render(CHART.resolve("ci/cloudnative-pg-values.yaml"), KUBE_VERSIONS.get(1),
                Map.of("besu.validators", 5)))
                .hasMessageContaining("besu.nodePublicKeys must hold the 5 validators' public keys");
    }

    @Test
    void theContractsJobDeploysWithTheOperatorsKeyAndAdmitsTheInstitutionsAccountWithItsEndpoint() {
        List<HasMetadata> objects = render(CHART.resolve("ci/cloudnative-pg-values.yaml"));
        Job job = named(objects, Job.class, "phr-contracts-1");
        Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).containsExactly("java", "-cp", "/opt/phr/lib/*", "org.phrcloud.tools.DeployContractsCommand",
                "--rpc", "http://phr-besu-rpc:8545", "--state", "/var/lib/phr/contracts/contracts.json",
                "--admit", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8=https://phr.example.org/");
        assertThat(c.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("PHR_CHAIN_OPERATOR_KEY");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("chain-operator");
            assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("operator.key");
        });
        NetworkPolicy contracts = named(objects, NetworkPolicy.class, "phr-contracts");
        assertThat(contracts.getSpec().getIngress()).isNullOrEmpty();
        assertThat(contracts.getSpec().getEgress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts().get(0).getPort().getIntVal()).isEqualTo(8545);
            assertThat(rule.getTo().get(0).getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", "besu");
        });
        assertThat(render(CHART.resolve("ci/external-values.yaml"))).noneMatch(Job.class::isInstance);
    }

    @Test
    void cloudNativePgAndTheKeycloakOperatorAreTheirOwnResources() {
        List<HasMetadata> objects = render(CHART.resolve("ci/operator-values.yaml"));
        Map<String, String> kinds = new TreeMap<>();
        objects.stream().filter(GenericKubernetesResource.class::isInstance)
                .forEach(o -> kinds.put(o.getKind() + "/" + o.getMetadata().getName(), o.getApiVersion()));
        assertThat(kinds).isEqualTo(Map.of("Cluster/phr-pg", "postgresql.cnpg.io/v1", "Keycloak/phr-keycloak", "k8s.keycloak.org/v2alpha1",
                "KeycloakRealmImport/phr-realm", "k8s.keycloak.org/v2alpha1"));
        Map<String, String> config = named(objects, io.fabric8.kubernetes.api.model.ConfigMap.class, "phr-server").getData();
        assertThat(config).containsEntry("PHR_DB_URL", "jdbc:postgresql://phr-pg-rw:5432/phr")
                .containsEntry("PHR_OIDC_ISSUER", "https://auth.east-lab.example.org/realms/phr");
        Deployment server = named(objects, Deployment.class, "phr-server");
        assertThat(server.getSpec().getReplicas()).as("the HPA decides").isNull();
        assertThat(server.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("phr-pg-app"));
        // the issuer is published through the Ingress to the operator's Service; the bundled StatefulSet's otherwise
        var operatorBackend = named(objects, io.fabric8.kubernetes.api.model.networking.v1.Ingress.class, "phr-keycloak")
                .getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertThat(operatorBackend.getName() + ":" + operatorBackend.getPort().getNumber()).isEqualTo("phr-keycloak-service:8443");
        var bundled = named(render(CHART.resolve("ci/cloudnative-pg-values.yaml")), io.fabric8.kubernetes.api.model.networking.v1.Ingress.class,
                "phr-keycloak").getSpec().getRules().get(0).getHttp();
        assertThat(bundled.getPaths()).extracting(p -> p.getPath()).containsExactly("/admin/realms/", "/realms/", "/resources/");
        assertThat(bundled.getPaths().get(0).getBackend().getService().getName() + ":" + bundled.getPaths().get(0).getBackend().getService().getPort().getNumber())
                .isEqualTo("phr-keycloak:443");
        GenericKubernetesResource realm = named(objects, GenericKubernetesResource.class, "phr-realm");
        assertThat(((Map<?, ?>) realm.getAdditionalProperties().get("spec")).get("realm").toString()).contains("realm=phr");
    }

    // --- helpers ---

    static PodTemplateSpec podTemplate(HasMetadata o) {
        if (o instanceof Deployment d) {
            return d.getSpec().getTemplate();
        }
        if (o instanceof StatefulSet s) {
            return s.getSpec().getTemplate();
        }
        if (o instanceof Job j) {
            return j.getSpec().getTemplate();
        }
        return null;
    }

    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && labels != null && labels.entrySet().containsAll(selector.entrySet());
    }

    static Map<String, String> onlyPeer(List<NetworkPolicyPeer> from) {
        assertThat(from).hasSize(1);
        assertThat(from.get(0).getNamespaceSelector()).isNull();
        return from.get(0).getPodSelector().getMatchLabels();
    }

    static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> o.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError(type.getSimpleName() + "/" + name + " not rendered: " + kinds(objects)));
    }

    static String kinds(List<HasMetadata> objects) {
        Map<String, List<String>> byKind = new TreeMap<>();
        objects.forEach(o -> byKind.computeIfAbsent(o.getKind(), k -> new ArrayList<>()).add(o.getMetadata().getName()));
        return byKind.toString();
    }

    /**
     * Collects the fields the model did not know (they land in {@code additionalProperties}) of a model object and of
     * every model object under it.
     */
    static void unknownFields(Object o, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yamlMap(Path file) throws IOException {
        Map<String, Object> map = KUBE.unmarshal(Files.readString(file), Map.class);
        return map == null ? new LinkedHashMap<>() : map;
    }

    /** @return base with every key of over put in, maps merged key by key (as Helm merges values files) */
    @SuppressWarnings("unchecked")
    static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> out = new LinkedHashMap<>(base);
        over.forEach((k, v) -> out.merge(k, v, (a, b) -> a instanceof Map<?, ?> am && b instanceof Map<?, ?> bm
                ? deepMerge((Map<String, Object>) am, (Map<String, Object>) bm) : b));
        return out;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

}
