package io.reactivep2p.peer;

/** Who opened a connection. */
public enum Direction {
    /** The remote node dialled this one. */
    INBOUND,
    /** This node dialled the remote one. */
    OUTBOUND
}
