/**
 * Wire protocol v1: {@link io.reactivep2p.protocol.Message}, {@link io.reactivep2p.protocol.MessageType},
 * the frame encoder and decoder, the payload codecs of the control messages and the typed
 * {@link io.reactivep2p.protocol.ProtocolException}.
 *
 * <p>The byte layout is specified in {@code docs/protocol.md}; every class here follows it
 * byte for byte. Decoders treat every input as hostile: each length and count is checked
 * against its limit before anything is allocated for it.
 */
package io.reactivep2p.protocol;
