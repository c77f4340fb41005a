package io.reactivep2p.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The embedding example runs as documented: Bob's node receives and pools Alice's transaction. */
class EmbeddingExampleTest {

    @Test
    void bobReceivesAlicesTransaction() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EmbeddingExample.main(new String[0]);
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        stdout.print(out);
        String id = out.lines().filter(l -> l.startsWith("alice submitted ")).findFirst().orElseThrow()
                .replaceAll("alice submitted (\\S+): ADDED", "$1");
        assertThat(out).contains("bob received " + id).contains("data \"hello, bob\"")
                .contains("bob's pool holds 1 transaction(s); best: " + id);
    }
}
