package io.portcullis.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portcullis.config.GatewayConfig;
import io.portcullis.server.Configs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests agree with the config the gateway loads from their ConfigMap: probe
 * ports and paths, the container ports, the grace period against readiness_delay + drain_timeout,
 * and every environment variable the config names comes from the Secret.
 */
class DeployManifestTest {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path K8S = Path.of("deploy/k8s");

  static JsonNode read(String file) throws Exception {
    return YAML.readTree(Files.readString(K8S.resolve(file)));
  }

  @Test
  void theManifestsAgreeWithTheConfigTheyShip() throws Exception {
    String configText = read("configmap.yaml").path("data").path("portcullis.yaml").asText();
    JsonNode secret = read("secret.yaml").path("stringData");
    Map<String, String> env = new HashMap<>();
    for (Iterator<String> it = secret.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      env.put(name, secret.get(name).asText());
    }
    // every ${VAR} of the config is in the Secret (the Deployment takes the whole Secret as env)
    Set<String> referenced = new HashSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)").matcher(configText);
    while (m.find()) {
      referenced.add(m.group(1));
    }
    assertThat(env.keySet()).containsAll(referenced);
    Path file = Files.createTempFile("k8s-config", ".yaml");
    Files.writeString(file, configText);
    GatewayConfig config = Configs.loader(env).load(file); // valid, or this throws with every problem

    JsonNode spec = read("deployment.yaml").path("spec").path("template").path("spec");
    JsonNode container = spec.path("containers").get(0);
    Map<String, Integer> ports = new HashMap<>();
    container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
    assertThat(ports).containsEntry("http", config.server().port()).containsEntry("admin", config.admin().port());
    assertThat(config.admin().host()).as("the kubelet probes the pod's address").isEqualTo("0.0.0.0");
    assertThat(container.path("envFrom").get(0).path("secretRef").path("name").asText())
        .isEqualTo(read("secret.yaml").path("metadata").path("name").asText());
    assertThat(container.path("args").toString()).contains("/etc/portcullis/portcullis.yaml");
    assertThat(container.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/etc/portcullis");
    assertThat(spec.path("volumes").get(0).path("configMap").path("name").asText())
        .isEqualTo(read("configmap.yaml").path("metadata").path("name").asText());

    JsonNode readiness = container.path("readinessProbe").path("httpGet");
    assertThat(readiness.path("path").asText()).isEqualTo("/readyz");
    assertThat(readiness.path("port").asText()).isEqualTo("admin");
    JsonNode liveness = container.path("livenessProbe").path("httpGet");
    assertThat(liveness.path("path").asText()).isEqualTo("/healthz");
    assertThat(liveness.path("port").asText()).isEqualTo("admin");

    // SIGTERM comes after preStop; then /readyz fails for readiness_delay and streams drain for
    // drain_timeout: the grace period must cover all three, or the kubelet kills streams mid-answer
    long preStop = container.path("lifecycle").path("preStop").path("exec").path("command").get(1).asLong();
    long grace = spec.path("terminationGracePeriodSeconds").asLong();
    long needed = preStop + config.server().readinessDelay().toSeconds() + config.server().drainTimeout().toSeconds();
    assertThat(grace).as("terminationGracePeriodSeconds").isGreaterThan(needed);
    // the readiness probe notices a draining pod within readiness_delay
    long probeNotices = container.path("readinessProbe").path("periodSeconds").asLong()
        * container.path("readinessProbe").path("failureThreshold").asLong();
    assertThat(probeNotices).isLessThanOrEqualTo(config.server().readinessDelay().toSeconds());

    // the Service, PodDisruptionBudget and autoscaler select and scale this Deployment
    JsonNode labels = read("deployment.yaml").path("spec").path("template").path("metadata").path("labels");
    assertThat(read("service.yaml").path("spec").path("selector")).isEqualTo(labels);
    assertThat(read("service.yaml").path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
    assertThat(read("pdb.yaml").path("spec").path("selector").path("matchLabels")).isEqualTo(labels);
    assertThat(read("hpa.yaml").path("spec").path("scaleTargetRef").path("name").asText())
        .isEqualTo(read("deployment.yaml").path("metadata").path("name").asText());
    assertThat(((ObjectNode) read("deployment.yaml").path("spec").path("selector").path("matchLabels"))).isEqualTo(labels);
  }

  @Test
  void theBalancerConfigsCheckReadinessAndKeepIdleConnectionsShorterThanTheInstances() throws Exception {
    String haproxy = Files.readString(Path.of("deploy/haproxy.cfg"));
    assertThat(haproxy).contains("option httpchk GET /readyz").contains("option forwardfor");
    long balancerIdle = Long.parseLong(haproxy.replaceAll("(?s).*timeout http-keep-alive (\\d+)s.*", "$1"));
    assertThat(balancerIdle).isLessThan(io.portcullis.config.ServerConfig.Connections.DEFAULTS.keepAliveTimeout().toSeconds());
    String nginx = Files.readString(Path.of("deploy/nginx.conf"));
    assertThat(nginx).contains("proxy_buffering off").contains("X-Forwarded-For");
  }
}
