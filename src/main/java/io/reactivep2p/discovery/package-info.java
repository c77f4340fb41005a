/**
 * Discovery: the address book of known peers, seeds, peer exchange, and the dialer that keeps
 * the outbound slots full.
 */
package io.reactivep2p.discovery;
