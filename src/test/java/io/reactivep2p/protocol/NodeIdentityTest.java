package io.reactivep2p.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {

    private static final String ALICE_PRIVATE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private static final String ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

    @TempDir
    Path dir;

    @Test
    void theNodeIdIsThePublicKey() {
        NodeIdentity alice = NodeIdentity.fromPrivateKey(HexFormat.of().parseHex(ALICE_PRIVATE));
        assertThat(alice.id().toHex()).isEqualTo(ALICE_PUBLIC);
        assertThat(alice.keyPair().publicKey()).isEqualTo(alice.id().toBytes());
        assertThat(alice.toString()).contains(ALICE_PUBLIC).doesNotContain(ALICE_PRIVATE);
    }

    @Test
    void savedOwnerOnlyAndLoadedBack() throws IOException {
        NodeIdentity identity = NodeIdentity.generate(new SecureRandom());
        Path file = dir.resolve("identity");
        identity.save(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("node-id " + identity.id().toHex());
        NodeIdentity loaded = NodeIdentity.load(file);
        assertThat(loaded).isEqualTo(identity);
        assertThat(loaded.keyPair().privateKey()).isEqualTo(identity.keyPair().privateKey());
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file); // no temporary file left
        }
    }

    @Test
    void anIdentityIsNeverOverwritten() throws IOException {
        Path file = dir.resolve("identity");
        NodeIdentity first = NodeIdentity.generate(new SecureRandom());
        first.save(file);
        assertThatThrownBy(() -> NodeIdentity.generate(new SecureRandom()).save(file))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(NodeIdentity.load(file)).isEqualTo(first);
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedAsSshDoes() throws IOException {
        Path file = dir.resolve("identity");
        NodeIdentity.generate(new SecureRandom()).save(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> NodeIdentity.load(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("too open").hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw--w----"));
        assertThatThrownBy(() -> NodeIdentity.load(file)).hasMessageContaining("too open");
    }

    @Test
    void malformedFilesAreRefusedWithWhereAndWhy() throws IOException {
        assertRefused("", "no private-key line");
        assertRefused("private-key 1234\n", "expected 64 hex digits");
        assertRefused("private-key " + "zz".repeat(32) + "\n", "not hex");
        assertRefused("private-key " + ALICE_PRIVATE + "\nprivate-key " + ALICE_PRIVATE + "\n", "a second private-key");
        assertRefused("secret " + ALICE_PRIVATE + "\n", "unknown key 'secret'");
        assertRefused("private-key\n", "expected a key and a value");
        assertRefused("node-id " + "00".repeat(32) + "\nprivate-key " + ALICE_PRIVATE + "\n", "is not the private key's");
        assertRefused("#".repeat(NodeIdentity.MAX_FILE_BYTES + 1), "not an identity file");
        // comments, blank lines and a matching node-id are fine
        Path ok = write("# comment\n\nnode-id " + ALICE_PUBLIC + "\r\nprivate-key " + ALICE_PRIVATE + "\n");
        assertThat(NodeIdentity.load(ok).id().toHex()).isEqualTo(ALICE_PUBLIC);
    }

    private void assertRefused(String content, String why) throws IOException {
        Path file = write(content);
        assertThatThrownBy(() -> NodeIdentity.load(file)).as(content).isInstanceOf(IOException.class)
                .hasMessageContaining(why);
    }

    private Path write(String content) throws IOException {
        Path file = Files.createTempFile(dir, "id", "", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
        return file;
    }
}
