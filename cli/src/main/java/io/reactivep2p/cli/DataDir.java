package io.reactivep2p.cli;

import io.reactivep2p.protocol.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * A node's data directory: its id ({@value #NODE_ID}, 64 hex digits) so it keeps its identity
 * across restarts, and its address book ({@value #ADDRESS_BOOK}) so it rejoins without seeds.
 */
final class DataDir {

    static final String NODE_ID = "node.id";
    static final String ADDRESS_BOOK = "address-book.txt";

    private final Path dir;

    private DataDir(Path dir) {
        this.dir = dir;
    }

    /** The directory, created if missing. */
    static DataDir open(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException("cannot create the data directory " + dir + ": " + reason(e), e);
        }
        if (!Files.isWritable(dir)) {
            throw new CliException("the data directory " + dir + " is not writable");
        }
        return new DataDir(dir);
    }

    Path path() {
        return dir;
    }

    Path addressBook() {
        return dir.resolve(ADDRESS_BOOK);
    }

    /** The id kept in {@value #NODE_ID}; a new random one, written there, if there is none. */
    NodeId nodeId() {
        Path file = dir.resolve(NODE_ID);
        if (Files.exists(file)) {
            String hex;
            try {
                hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + reason(e), e);
            }
            if (!hex.matches("[0-9a-fA-F]{64}")) {
                throw new CliException(file + " does not hold a node id (64 hex digits); remove it for a new id");
            }
            return NodeId.fromHex(hex);
        }
        NodeId id = NodeId.random();
        try {
            Path tmp = Files.createTempFile(dir, NODE_ID, ".tmp");
            Files.writeString(tmp, id.toHex() + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + reason(e), e);
        }
        return id;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
