/**
 * Discovery: the address book of known peers, seeds, peer exchange, the dialer that keeps the
 * outbound slots full, and their {@link io.reactivep2p.discovery.DiscoverySettings}.
 */
package io.reactivep2p.discovery;
