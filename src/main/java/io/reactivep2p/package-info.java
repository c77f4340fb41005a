/**
 * The node facade users touch: {@link io.reactivep2p.P2pNode} and its
 * {@link io.reactivep2p.NodeConfig}.
 */
package io.reactivep2p;
