package io.reactivep2p.gossip;

/**
 * The verdict of a validator on a gossiped message (first sightings only).
 *
 * <ul>
 *   <li>{@link #ACCEPT}: deliver to this node's subscribers and relay to its peers;</li>
 *   <li>{@link #IGNORE}: drop quietly (valid, but not wanted: too old, too cheap, ...);</li>
 *   <li>{@link #REJECT}: drop and score the sender: the message is invalid.</li>
 * </ul>
 *
 * <p>A message is marked seen before it is validated, so later copies of a dropped message
 * are dropped as duplicates without being validated again.
 */
public enum Validation {
    ACCEPT, IGNORE, REJECT
}
