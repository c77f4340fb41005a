package io.reactivep2p.cli;

import io.reactivep2p.protocol.NodeIdentity;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * A node's data directory: its identity ({@value #IDENTITY}: the X25519 key pair whose public
 * key is its node id, in {@link NodeIdentity}'s format, owner-only) so it keeps its id across
 * restarts, and its address book ({@value #ADDRESS_BOOK}) so it rejoins without seeds.
 */
final class DataDir {

    static final String IDENTITY = "identity";
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

    /**
     * The identity kept in {@value #IDENTITY}; a new one, saved there owner-only, if there is
     * none. A key file its group or others may read is refused, as ssh refuses one.
     */
    NodeIdentity identity() {
        Path file = dir.resolve(IDENTITY);
        if (!Files.exists(file)) {
            try {
                NodeIdentity.generate(new SecureRandom()).save(file);
            } catch (FileAlreadyExistsException e) {
                // another process made it meanwhile: use that one
            } catch (IOException e) {
                throw new CliException("cannot write " + file + ": " + reason(e), e);
            }
        }
        try {
            return NodeIdentity.load(file);
        } catch (IOException e) {
            throw new CliException(e.getMessage() + (e.getMessage().contains("too open") ? ""
                    : "; move it away for a new identity (and a new node id)"), e);
        }
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
