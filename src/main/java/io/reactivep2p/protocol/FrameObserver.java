package io.reactivep2p.protocol;

/**
 * Told of every frame a connection's codec reads or writes, with its size on the wire; how
 * the node feeds per-type message and byte meters. Called on the connection's event loop for
 * every frame: must be cheap and must not block.
 */
public interface FrameObserver {

    /** Observes nothing. */
    FrameObserver NONE = new FrameObserver() {
        @Override
        public void frameRead(int typeCode, int wireBytes) {
        }

        @Override
        public void frameWritten(int typeCode, int wireBytes) {
        }
    };

    /**
     * A frame was read and passed its checks.
     *
     * @param typeCode its type code, {@code 0..255}
     * @param wireBytes its length as received, header included (compressed if it was)
     */
    void frameRead(int typeCode, int wireBytes);

    /**
     * A frame is being written.
     *
     * @param typeCode its type code, {@code 0..255}
     * @param wireBytes its length as sent, header included (compressed if it is)
     */
    void frameWritten(int typeCode, int wireBytes);
}
