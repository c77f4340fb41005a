package io.reactivep2p.noise;

import io.reactivep2p.BenchmarkBase;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Level;

/**
 * What the secure channel costs, piece by piece, on the JDK's primitives:
 *
 * <ul>
 *   <li>{@code x25519}: one agreement ({@link Dh#dh}); {@code x25519KeyPair}: a new key pair.</li>
 *   <li>{@code bcX25519} and {@code bcX25519PublicKey}: the same two with BouncyCastle's
 *       lightweight X25519 ({@code org.bouncycastle.math.ec.rfc7748.X25519}), the candidate the
 *       issue names for the handshake rate; checked against the JDK's result at setup.</li>
 *   <li>{@code xxResponderStep}: what a listener's event loop does when an XX message 1
 *       arrives: a handshake state (prologue, SHA-256), message 1 read, message 2 written
 *       (a key pair and two agreements): the longest time a handshake holds an event loop.</li>
 *   <li>{@code xxHandshake} and {@code ikHandshake}: a whole handshake, both parties' work, to
 *       {@code Split()}: one core's handshakes per second is 10^9 / its time × 2 (each side
 *       does half).</li>
 *   <li>{@code sealRecord} / {@code openRecord}: one record of {@code recordBytes} plaintext
 *       bytes encrypted (decrypted) between direct buffers with AES-256-GCM, as the record layer
 *       does; with {@code -prof gc}, what a record allocates.</li>
 * </ul>
 *
 * <p>Run, on each JDK:
 * <pre>
 * java -jar bench/target/benchmarks.jar NoiseBenchmark -prof gc -wi 3 -i 5 -w 1s -r 1s
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar bench/target/benchmarks.jar NoiseBenchmark -prof gc -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NoiseBenchmark extends BenchmarkBase {

    /** Plaintext bytes of a record: a small message, and a full record. */
    @Param({"256", "65519"})
    public int recordBytes;

    private final SecureRandom random = new SecureRandom();
    private DhKeyPair alice;
    private DhKeyPair bob;
    private byte[] xxMessage1;
    private CipherState sealer;
    private CipherState opener;
    private ByteBuffer plaintext;
    private ByteBuffer sealed;
    private ByteBuffer opened;
    private static final int RECORDS = 1024;
    private ByteBuffer[] sealedRecords;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        alice = Dh.X25519.generateKeyPair(random);
        bob = Dh.X25519.generateKeyPair(random);
        xxMessage1 = HandshakeState.builder(HandshakePattern.XX, true).localStatic(alice).random(random).build()
                .writeMessage(new byte[0]);
        if (!java.util.Arrays.equals(bcX25519(), x25519())) {
            throw new IllegalStateException("BouncyCastle's X25519 and the JDK's disagree");
        }
        sealer = xx()[0].sender();
        byte[] bytes = new byte[recordBytes];
        random.nextBytes(bytes);
        plaintext = ByteBuffer.allocateDirect(recordBytes).put(bytes).flip();
        sealed = ByteBuffer.allocateDirect(recordBytes + NoiseCipher.TAG_LENGTH);
        opened = ByteBuffer.allocateDirect(recordBytes);
        // openRecord decrypts records sealed in order (nonces 0..1023) by a second pair of cipher
        // states, going round them by setting the receiver's nonce back
        TransportState[] other = xx();
        CipherState s = other[0].sender();
        opener = other[1].receiver();
        sealedRecords = new ByteBuffer[RECORDS];
        for (int i = 0; i < sealedRecords.length; i++) {
            ByteBuffer out = ByteBuffer.allocateDirect(recordBytes + NoiseCipher.TAG_LENGTH);
            s.encrypt(null, plaintext.duplicate(), out);
            sealedRecords[i] = out.flip();
        }
    }

    private TransportState[] xx() {
        HandshakeState i = HandshakeState.builder(HandshakePattern.XX, true).localStatic(alice).random(random).build();
        HandshakeState r = HandshakeState.builder(HandshakePattern.XX, false).localStatic(bob).random(random).build();
        r.readMessage(i.writeMessage(new byte[0]));
        i.readMessage(r.writeMessage(new byte[0]));
        r.readMessage(i.writeMessage(new byte[0]));
        return new TransportState[] {i.split(), r.split()};
    }

    @Benchmark
    public byte[] x25519() {
        return Dh.X25519.dh(alice, bob.publicKeyUnsafe());
    }

    @Benchmark
    public DhKeyPair x25519KeyPair() {
        return Dh.X25519.generateKeyPair(random);
    }

    @Benchmark
    public byte[] bcX25519() {
        byte[] shared = new byte[Dh.DHLEN];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(alice.privateKeyUnsafe(), 0, bob.publicKeyUnsafe(), 0,
                shared, 0);
        return shared;
    }

    @Benchmark
    public byte[] bcX25519PublicKey() {
        byte[] privateKey = new byte[Dh.DHLEN];
        random.nextBytes(privateKey);
        byte[] publicKey = new byte[Dh.DHLEN];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, publicKey, 0);
        return publicKey;
    }

    @Benchmark
    public byte[] xxResponderStep() {
        HandshakeState r = HandshakeState.builder(HandshakePattern.XX, false).localStatic(bob).random(random).build();
        r.readMessage(xxMessage1);
        return r.writeMessage(new byte[96]);
    }

    @Benchmark
    public TransportState[] xxHandshake() {
        return xx();
    }

    @Benchmark
    public TransportState ikHandshake() {
        HandshakeState i = HandshakeState.builder(HandshakePattern.IK, true).localStatic(alice)
                .remoteStatic(bob.publicKeyUnsafe()).random(random).build();
        HandshakeState r = HandshakeState.builder(HandshakePattern.IK, false).localStatic(bob).random(random).build();
        r.readMessage(i.writeMessage(new byte[96]));
        i.readMessage(r.writeMessage(new byte[96]));
        r.split();
        return i.split();
    }

    @Benchmark
    public int sealRecord() {
        sealed.clear();
        return sealer.encrypt(null, plaintext.duplicate(), sealed);
    }

    @Benchmark
    public int openRecord() {
        int k = next++ & (RECORDS - 1);
        opener.setNonce(k);
        opened.clear();
        return opener.decrypt(null, sealedRecords[k].duplicate(), opened);
    }
}
