package dev.atelier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The files in {@code deploy/} (no Docker or Kubernetes here to run them): every YAML document
 * parses and has what its kind needs, and every command line in them, and in docs/deploy.md's code
 * blocks, names real subcommands and options ({@link DeployCommands}), so the files stay in step
 * with the flags.
 */
class DeployFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("atelier.root", ".."));
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Set<String> KINDS =
      Set.of("ConfigMap", "Secret", "Deployment", "Service", "Job", "ScaledObject");

  private final DeployCommands commands = new DeployCommands();

  @Test
  void everyYamlFileParsesAndEveryKubernetesObjectHasWhatItsKindNeeds() throws IOException {
    Map<Path, List<Object>> files = yamlFiles();
    assertThat(files.keySet())
        .extracting(p -> DEPLOY.relativize(p).toString().replace('\\', '/'))
        .contains(
            "compose.yaml",
            "kubernetes/config.yaml",
            "kubernetes/api.yaml",
            "kubernetes/worker.yaml",
            "kubernetes/setup/secrets.yaml",
            "kubernetes/setup/create-admin-key.yaml",
            "kubernetes/autoscaling/keda.yaml");
    files.forEach((path, docs) -> assertThat(docs).as("%s", path).isNotEmpty());

    List<Map<String, Object>> objects = kubernetesObjects(files);
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> o : objects) {
      String where = o.get("kind") + " " + str(o, "metadata.name");
      assertThat(o.get("apiVersion")).as(where).isNotNull();
      assertThat(KINDS).as(where).contains((String) o.get("kind"));
      assertThat(str(o, "metadata.name")).as(where).isNotBlank();
      names.add(o.get("kind") + "/" + str(o, "metadata.name"));
    }
    for (Map<String, Object> o : objects) {
      String where = o.get("kind") + " " + str(o, "metadata.name");
      switch ((String) o.get("kind")) {
        case "Deployment" -> {
          assertThat(o.get("apiVersion")).as(where).isEqualTo("apps/v1");
          Map<String, Object> selector = map(at(o, "spec.selector.matchLabels"));
          assertThat(selector).as(where).isNotEmpty();
          assertThat(map(at(o, "spec.template.metadata.labels")))
              .as(where)
              .containsAllEntriesOf(selector);
          checkPod(where, map(at(o, "spec.template.spec")), names);
        }
        case "Job" -> {
          assertThat(str(o, "spec.template.spec.restartPolicy"))
              .as(where)
              .isIn("Never", "OnFailure");
          checkPod(where, map(at(o, "spec.template.spec")), names);
        }
        case "Service" -> {
          Map<String, Object> selector = map(at(o, "spec.selector"));
          assertThat(selector).as(where).isNotEmpty();
          assertThat(objects)
              .as("%s selects a Deployment's pods", where)
              .anyMatch(
                  d ->
                      "Deployment".equals(d.get("kind"))
                          && map(at(d, "spec.template.metadata.labels"))
                              .entrySet()
                              .containsAll(selector.entrySet()));
          assertThat(list(at(o, "spec.ports"))).as(where).isNotEmpty();
        }
        case "ScaledObject" -> {
          assertThat(names).as(where).contains("Deployment/" + str(o, "spec.scaleTargetRef.name"));
          assertThat(list(at(o, "spec.triggers"))).as(where).isNotEmpty();
        }
        case "ConfigMap" -> assertThat(map(o.get("data"))).as(where).isNotEmpty();
        default ->
            assertThat(o.get("stringData") != null || o.get("data") != null).as(where).isTrue();
      }
    }
  }

  /** Containers have a name and an image, and what they reference (ConfigMaps, Secrets) exists. */
  private static void checkPod(String where, Map<String, Object> pod, Set<String> names) {
    assertThat(list(pod.get("containers"))).as(where).isNotEmpty();
    for (Object c : list(pod.get("containers"))) {
      assertThat(str(c, "name")).as(where).isNotBlank();
      assertThat(str(c, "image")).as(where).isNotBlank();
      for (Object from : list(map(c).get("envFrom"))) {
        if (at(from, "configMapRef.name") != null) {
          assertThat(names).as(where).contains("ConfigMap/" + str(from, "configMapRef.name"));
        } else {
          assertThat(names).as(where).contains("Secret/" + str(from, "secretRef.name"));
        }
      }
    }
    for (Object v : list(pod.get("volumes"))) {
      if (at(v, "secret.secretName") != null) {
        assertThat(names).as(where).contains("Secret/" + str(v, "secret.secretName"));
      }
    }
  }

  @Test
  void kubernetesPodsAreProbedAndOutlastTheirDrain() throws IOException {
    int workers = 0;
    for (Map<String, Object> o : kubernetesObjects(yamlFiles())) {
      if (!"Deployment".equals(o.get("kind"))) {
        continue;
      }
      String where = "Deployment " + str(o, "metadata.name");
      Map<String, Object> pod = map(at(o, "spec.template.spec"));
      Object grace = pod.get("terminationGracePeriodSeconds");
      for (Object c : list(pod.get("containers"))) {
        List<String> args = list(map(c).get("args")).stream().map(String::valueOf).toList();
        assertThat(str(c, "livenessProbe.httpGet.path")).as(where).isEqualTo("/healthz");
        assertThat(str(c, "readinessProbe.httpGet.path")).as(where).isEqualTo("/readyz");
        long drain = 60; // --drain-timeout's default
        int i = args.indexOf("--drain-timeout");
        if (i >= 0) {
          drain = Long.parseLong(args.get(i + 1));
        }
        assertThat(grace).as("%s: terminationGracePeriodSeconds", where).isNotNull();
        assertThat(((Number) grace).longValue())
            .as("%s: terminationGracePeriodSeconds > --drain-timeout", where)
            .isGreaterThan(drain);
        if (args.get(0).equals("worker")) {
          workers++;
          assertThat(args).as(where).containsSequence("--device", "cuda");
          assertThat(map(at(c, "resources.limits"))).as(where).containsKey("nvidia.com/gpu");
        } else {
          assertThat(args).as(where).containsSequence("serve", "--role", "api");
        }
      }
    }
    assertThat(workers).isEqualTo(1);
  }

  @Test
  void composeRunsPostgresAnS3ServerOneApiNodeAndTwoWorkers() throws IOException {
    Map<String, Object> compose = map(yamlFiles().get(DEPLOY.resolve("compose.yaml")).get(0));
    Map<String, Object> services = map(compose.get("services"));
    Set<String> volumes = map(compose.get("volumes")).keySet();
    List<String> roles = new ArrayList<>();
    services.forEach(
        (name, s) -> {
          assertThat(at(s, "healthcheck.test")).as("%s: healthcheck", name).isNotNull();
          for (Object v : list(map(s).get("volumes"))) {
            assertThat(volumes).as(name).contains(String.valueOf(v).split(":")[0]);
          }
          map(map(s).get("depends_on"))
              .forEach(
                  (dep, how) -> {
                    assertThat(services).as(name).containsKey(dep);
                    assertThat(str(how, "condition")).as(name).isEqualTo("service_healthy");
                  });
          if (String.valueOf(map(s).get("image")).contains("atelier")) {
            List<Object> command = list(map(s).get("command"));
            roles.add(command.get(0) + (command.contains("--role") ? " --role api" : ""));
            assertThat(map(s).get("depends_on")).as(name).isNotNull();
          }
        });
    assertThat(services).containsKeys("postgres", "s3");
    assertThat(roles).containsExactlyInAnyOrder("serve --role api", "worker", "worker");
  }

  @Test
  void dockerfilesBuildOneImageForEitherRoleThatRunsAsAUserWithAHealthcheck() throws IOException {
    for (String name : List.of("Dockerfile", "Dockerfile.cuda")) {
      String file = Files.readString(DEPLOY.resolve(name));
      assertThat(file)
          .as(name)
          .contains("ENTRYPOINT [", "/opt/atelier/atelier.jar", "CMD [", "EXPOSE 8080")
          .contains("HEALTHCHECK", "/healthz", "VOLUME /var/lib/atelier", "USER 10001")
          .contains("MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072")
          .containsPattern("FROM eclipse-temurin:\\d+-jdk AS build");
    }
    assertThat(Files.readString(DEPLOY.resolve("Dockerfile.cuda")))
        .contains("-Pcuda", "ARG CUDA_IMAGE=nvidia/cuda:12.", "-cudnn-runtime-");
  }

  @Test
  void everyCommandLineInTheDeployFilesNamesRealSubcommandsAndOptions() throws IOException {
    List<DeployCommands.Invocation> found = new ArrayList<>();
    for (Map.Entry<Path, List<Object>> f : yamlFiles().entrySet()) {
      String file = ROOT.relativize(f.getKey()).toString();
      for (Object doc : f.getValue()) {
        argv(doc, file, "", found);
      }
    }
    for (String name : List.of("Dockerfile", "Dockerfile.cuda")) {
      List<String> lines = Files.readAllLines(DEPLOY.resolve(name));
      for (int n = 0; n < lines.size(); n++) {
        String line = lines.get(n).strip();
        String where = "deploy/" + name + ":" + (n + 1);
        if (line.startsWith("CMD [")) {
          commands.find(where, quoted(line)).ifPresent(found::add);
        } else if (line.startsWith("#")) {
          commands.find(where, DeployCommands.words(line.substring(1))).ifPresent(found::add);
        }
      }
    }
    for (String doc : List.of("docs/deploy.md", "docs/cuda.md")) {
      for (var line : DeployCommands.codeLines(Files.readString(ROOT.resolve(doc)))) {
        commands
            .find(doc + ":" + line.getKey(), DeployCommands.words(line.getValue()))
            .ifPresent(found::add);
      }
    }
    List<String> problems = new ArrayList<>();
    found.forEach(i -> problems.addAll(commands.problems(i)));
    assertThat(problems).isEmpty();
    // The scan saw what the files hold: both roles, in every kind of file.
    assertThat(found)
        .extracting(i -> i.where().replaceAll("[:\\[].*", "") + " " + i.command().get(0))
        .contains(
            "deploy/compose.yaml serve",
            "deploy/compose.yaml worker",
            "deploy/kubernetes/api.yaml serve",
            "deploy/kubernetes/worker.yaml worker",
            "deploy/Dockerfile serve",
            "deploy/Dockerfile.cuda worker",
            "docs/deploy.md worker",
            "docs/deploy.md keys");
  }

  /**
   * The command lines of compose services and Kubernetes containers that run Atelier's image, each
   * labelled with its container's name or its service's key.
   */
  private void argv(
      Object node, String where, Object label, List<DeployCommands.Invocation> found) {
    if (node instanceof Map<?, ?> m) {
      Object image = m.get("image");
      Object command = m.get(m.containsKey("args") ? "args" : "command");
      if (image != null
          && String.valueOf(image).contains("atelier")
          && command instanceof List<?>) {
        List<String> words = list(command).stream().map(String::valueOf).toList();
        String at = where + "[" + Objects.requireNonNullElse(m.get("name"), label) + "]";
        commands.find(at, words).ifPresent(found::add);
      }
      m.forEach((k, v) -> argv(v, where, k, found));
    } else if (node instanceof List<?> l) {
      l.forEach(item -> argv(item, where, label, found));
    }
  }

  @Test
  void everyAtelierVariableSetInTheDeployFilesIsReadByAtelier() throws IOException {
    // The Java sources, the launcher and the image's ENTRYPOINT (ATELIER_JAVA_OPTS).
    StringBuilder code = new StringBuilder(Files.readString(ROOT.resolve("atelier")));
    Files.readAllLines(DEPLOY.resolve("Dockerfile")).stream()
        .filter(l -> l.startsWith("ENTRYPOINT"))
        .forEach(code::append);
    try (Stream<Path> s = Files.walk(ROOT)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (p.toString().contains("/src/main/")) {
          code.append(Files.readString(p));
        }
      }
    }
    Set<String> set = new TreeSet<>();
    for (List<Object> docs : yamlFiles().values()) {
      docs.forEach(d -> variables(d, set));
    }
    assertThat(set).contains("ATELIER_DATABASE_URL", "ATELIER_BLOB_STORE");
    for (String v : set) {
      assertThat(code.toString()).as("%s is read somewhere", v).containsPattern("\\b" + v + "\\b");
    }
  }

  /** The ATELIER_ names a YAML tree sets: environment keys, env names, ConfigMap/Secret keys. */
  private static void variables(Object node, Set<String> out) {
    if (node instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) -> {
            if (String.valueOf(k).startsWith("ATELIER_")) {
              out.add(String.valueOf(k));
            }
            if ("name".equals(k) && String.valueOf(v).startsWith("ATELIER_")) {
              out.add(String.valueOf(v));
            }
            variables(v, out);
          });
    } else if (node instanceof List<?> l) {
      l.forEach(item -> variables(item, out));
    }
  }

  // --- reading ---

  private static Map<Path, List<Object>> yamlFiles() throws IOException {
    Map<Path, List<Object>> files = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(DEPLOY)) {
      for (Path p : s.filter(p -> p.toString().matches(".*\\.ya?ml")).sorted().toList()) {
        List<Object> docs = new ArrayList<>();
        for (Object doc :
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(p))) {
          if (doc != null) {
            docs.add(doc);
          }
        }
        files.put(p, docs);
      }
    }
    return files;
  }

  private static List<Map<String, Object>> kubernetesObjects(Map<Path, List<Object>> files) {
    List<Map<String, Object>> objects = new ArrayList<>();
    files.forEach(
        (path, docs) -> {
          if (path.startsWith(DEPLOY.resolve("kubernetes"))) {
            docs.forEach(d -> objects.add(map(d)));
          }
        });
    return objects;
  }

  private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

  private static List<String> quoted(String jsonArray) {
    List<String> words = new ArrayList<>();
    Matcher m = QUOTED.matcher(jsonArray);
    while (m.find()) {
      words.add(m.group(1));
    }
    return words;
  }

  /** The value at a dotted path of maps, or null. */
  private static Object at(Object node, String path) {
    Object o = node;
    for (String key : path.split("\\.")) {
      if (!(o instanceof Map<?, ?> m)) {
        return null;
      }
      o = m.get(key);
    }
    return o;
  }

  private static String str(Object node, String path) {
    Object o = at(node, path);
    return o == null ? null : String.valueOf(o);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
