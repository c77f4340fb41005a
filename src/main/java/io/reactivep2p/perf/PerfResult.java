package io.reactivep2p.perf;

/**
 * One perf run, as the client measured it.
 *
 * @param upload bytes the client sent (and the server counted)
 * @param download bytes the server sent (and the client counted)
 * @param uploadNanos from sending PERF_START to the first answer of the server, which starts
 *     answering once the upload is in (so it includes half a round trip)
 * @param downloadNanos from that first answer to the server's PERF_DONE
 * @param totalNanos from PERF_START to the server's PERF_DONE: for an empty run, one round trip
 */
public record PerfResult(long upload, long download, long uploadNanos, long downloadNanos, long totalNanos) {

    /** Upload throughput in bits per second; 0 for an empty upload. */
    public double uploadBitsPerSecond() {
        return bitsPerSecond(upload, uploadNanos);
    }

    /** Download throughput in bits per second; 0 for an empty download. */
    public double downloadBitsPerSecond() {
        return bitsPerSecond(download, downloadNanos);
    }

    private static double bitsPerSecond(long bytes, long nanos) {
        return bytes == 0 || nanos <= 0 ? 0 : bytes * 8e9 / nanos;
    }
}
