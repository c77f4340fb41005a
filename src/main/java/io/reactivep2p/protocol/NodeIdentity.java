package io.reactivep2p.protocol;

import io.reactivep2p.noise.Dh;
import io.reactivep2p.noise.DhKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * A node's identity: an X25519 key pair whose public key is its {@link NodeId}. Wire protocol
 * v2 proves it in every handshake (Noise's static key), so an id can no longer be claimed,
 * only shown to be held.
 *
 * <pre>{@code
 * NodeIdentity identity = NodeIdentity.generate(new SecureRandom());
 * identity.save(dataDir.resolve("identity"));            // owner-only, never overwrites
 * NodeIdentity same = NodeIdentity.load(dataDir.resolve("identity"));
 * }</pre>
 *
 * <p><b>File format</b> (UTF-8 text, at most {@value #MAX_FILE_BYTES} bytes): lines starting
 * with {@code #} and blank lines are ignored; {@code private-key} then 64 hex digits (the
 * X25519 scalar, RFC 7748's little-endian encoding) is required; {@code node-id} then 64 hex
 * digits, written by {@link #save}, must match the key's public key when present:
 * <pre>
 * # reactive-p2p node identity: an X25519 private key. Keep it secret.
 * node-id 8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a
 * private-key 77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a
 * </pre>
 * The file is created readable and writable by its owner only (0600) and {@link #load}
 * refuses one that its group or others may read or write, as ssh refuses a private key.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the id, never the private key.
 */
public final class NodeIdentity {

    /** The largest identity file {@link #load} reads. */
    public static final int MAX_FILE_BYTES = 4096;

    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final HexFormat HEX = HexFormat.of();

    private final DhKeyPair keyPair;
    private final NodeId id;

    private NodeIdentity(DhKeyPair keyPair) {
        this.keyPair = keyPair;
        this.id = NodeId.wrap(keyPair.publicKey());
    }

    /** A new identity from {@code random} (unpredictable: a {@link SecureRandom}). */
    public static NodeIdentity generate(SecureRandom random) {
        return new NodeIdentity(Dh.X25519.generateKeyPair(Objects.requireNonNull(random, "random")));
    }

    /** The identity of a 32-byte X25519 private key. */
    public static NodeIdentity fromPrivateKey(byte[] privateKey) {
        Objects.requireNonNull(privateKey, "privateKey");
        if (privateKey.length != Dh.DHLEN) {
            throw new IllegalArgumentException("a private key is " + Dh.DHLEN + " bytes, got " + privateKey.length);
        }
        return new NodeIdentity(Dh.X25519.keyPair(privateKey));
    }

    /** The node id: the public key. */
    public NodeId id() {
        return id;
    }

    /** The key pair, for the handshake (its static key). */
    public DhKeyPair keyPair() {
        return keyPair;
    }

    /**
     * Reads an identity file (format above).
     *
     * @throws IOException if it cannot be read, is larger than {@value #MAX_FILE_BYTES} bytes,
     *     may be read or written by its group or others, or is not in the format
     */
    public static NodeIdentity load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        checkOwnerOnly(file);
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file + " is " + size + " bytes, not an identity file (at most " + MAX_FILE_BYTES + ")");
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        byte[] privateKey = null;
        String nodeId = null;
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] fields = l.split("\\s+");
            if (fields.length != 2) {
                throw new IOException(file + ":" + lineNumber + ": expected a key and a value");
            }
            switch (fields[0]) {
                case "private-key" -> {
                    if (privateKey != null) {
                        throw new IOException(file + ":" + lineNumber + ": a second private-key");
                    }
                    privateKey = hex32(file, lineNumber, fields[1]);
                }
                case "node-id" -> {
                    if (nodeId != null) {
                        throw new IOException(file + ":" + lineNumber + ": a second node-id");
                    }
                    nodeId = HEX.formatHex(hex32(file, lineNumber, fields[1]));
                }
                default -> throw new IOException(file + ":" + lineNumber + ": unknown key '" + fields[0] + "'");
            }
        }
        if (privateKey == null) {
            throw new IOException(file + ": no private-key line");
        }
        NodeIdentity identity = fromPrivateKey(privateKey);
        if (nodeId != null && !nodeId.equals(identity.id().toHex())) {
            throw new IOException(file + ": node-id " + nodeId + " is not the private key's (" + identity.id().toHex() + ")");
        }
        return identity;
    }

    /**
     * Writes this identity to {@code file}, created owner-only (0600 where the file system has
     * POSIX permissions) and moved into place whole.
     *
     * @throws FileAlreadyExistsException if {@code file} exists: an identity is never
     *     overwritten
     */
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(file.toString(), null, "an identity is never overwritten");
        }
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
        Path temp = posix
                ? Files.createTempFile(dir, ".identity", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, ".identity", ".tmp");
        try {
            String text = "# reactive-p2p node identity: an X25519 private key. Keep it secret.\n"
                    + "node-id " + id.toHex() + "\n"
                    + "private-key " + HEX.formatHex(keyPair.privateKey()) + "\n";
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void checkOwnerOnly(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return; // no POSIX permissions on this file system
        }
        Set<PosixFilePermission> permissions = view.readAttributes().permissions();
        Set<PosixFilePermission> open = EnumSet.copyOf(permissions);
        open.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!open.isEmpty()) {
            throw new IOException("permissions " + PosixFilePermissions.toString(permissions) + " for '" + file
                    + "' are too open: a node's private key must be readable by its owner only (chmod 600 "
                    + file + ")");
        }
    }

    private static byte[] hex32(Path file, int lineNumber, String hex) throws IOException {
        if (hex.length() != 2 * Dh.DHLEN) {
            throw new IOException(file + ":" + lineNumber + ": expected 64 hex digits, got " + hex.length()
                    + " characters");
        }
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ":" + lineNumber + ": not hex", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeIdentity other && other.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "NodeIdentity{" + id.toHex() + "}";
    }
}
