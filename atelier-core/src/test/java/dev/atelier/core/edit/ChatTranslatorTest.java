package dev.atelier.core.edit;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chat translator against a local OpenAI-compatible endpoint. */
class ChatTranslatorTest {
  HttpServer server;
  final List<String> bodies = new CopyOnWriteArrayList<>();
  final List<String> auth = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile String answer = "\"tin robot\"";

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/chat/completions",
        ex -> {
          bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          byte[] out =
              ("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":" + answer + "}}]}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  ChatTranslator translator() {
    return new ChatTranslator(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/"),
        "sk-test",
        "gpt-4o-mini",
        Duration.ofSeconds(5));
  }

  @Test
  void asksOnceAndCachesTheAnswer() {
    ChatTranslator t = translator();
    assertThat(t.toEnglish("铁皮机器人")).hasValue("tin robot");
    assertThat(t.toEnglish("铁皮机器人")).hasValue("tin robot");
    assertThat(bodies).hasSize(1);
    assertThat(bodies.get(0)).contains("\"model\":\"gpt-4o-mini\"", "铁皮机器人");
    assertThat(auth.get(0)).isEqualTo("Bearer sk-test");
  }

  @Test
  void failuresBecomeEmptySoThePlannerWarnsInstead() {
    status = 500;
    assertThat(translator().toEnglish("铁皮机器人")).isEmpty();
    status = 200;
    answer = "\"Here is a long explanation of what this phrase could possibly mean in English\"";
    assertThat(translator().toEnglish("某物")).isEmpty();
  }

  @Test
  void thePlannerUsesItForLexiconMisses() {
    EditPlanner planner = new EditPlanner(Lexicon.bundled(), translator());
    EditPlan plan = planner.plan("把铁皮机器人改成红色");
    assertThat(plan.target().en()).isEqualTo("tin robot");
  }
}
