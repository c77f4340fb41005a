/**
 * The Noise Protocol Framework (revision 34), as the secure channel of wire protocol v2 uses
 * it: {@link io.reactivep2p.noise.CipherState}, {@link io.reactivep2p.noise.SymmetricState}
 * and {@link io.reactivep2p.noise.HandshakeState} named and built as the specification's §5
 * names and builds them, the patterns as token tables ({@link io.reactivep2p.noise.HandshakePattern}),
 * and the primitives behind small seams: {@link io.reactivep2p.noise.Dh} (X25519),
 * {@link io.reactivep2p.noise.NoiseCipher} (AES-256-GCM, ChaCha20-Poly1305) and SHA-256.
 *
 * <p>Every primitive is a well-kept library's: X25519 BouncyCastle's lightweight
 * {@code rfc7748.X25519} (measured faster than the JDK's, whose {@code XDH} is kept beside it as
 * {@link io.reactivep2p.noise.Dh#JDK_X25519}); AES-GCM, ChaCha20-Poly1305, HMAC and SHA-256 the
 * JDK's ({@code Cipher}, {@code Mac}, {@code MessageDigest}). Nothing here implements a
 * cryptographic primitive. The cacophony test
 * vectors (NN, XK, IK, XX; AESGCM and ChaChaPoly over SHA256) check every path byte for byte.
 * The package depends on nothing else of the library.
 */
package io.reactivep2p.noise;
