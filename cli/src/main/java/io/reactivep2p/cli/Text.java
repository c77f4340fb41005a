package io.reactivep2p.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** How the commands write figures, summary rows and status lines: one format everywhere. */
final class Text {

    /** Back to the start of the line, and erase it: a status line updated in place. */
    static final String ERASE_LINE = "\r\033[2K";

    private Text() {
    }

    /** A status line: updated in place on a console ({@code live}), else one line each. */
    static void status(PrintStream out, boolean live, String line) {
        if (live) {
            out.print(ERASE_LINE + line);
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** Ends the status line if it was updated in place, then prints a blank line and the summary. */
    static void summary(PrintStream out, boolean live, String summary) {
        if (live) {
            out.println();
        }
        out.println();
        out.print(summary);
        out.flush();
    }

    /** A row of a summary table: {@code "  name               value"}. */
    static void row(StringBuilder b, String name, String value) {
        b.append(String.format(Locale.ROOT, "  %-18s %s%n", name, value));
    }

    /** {@code 12.5 s} */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toNanos() / 1e9);
    }

    /** {@code value} with {@code decimals} decimals, a dot as the separator (JSON, tables). */
    static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** {@code min..max}, or one number when they are equal. */
    static String range(int min, int max) {
        return min == max ? String.valueOf(min) : min + ".." + max;
    }

    /** A size in bytes, binary units: {@code 512 B}, {@code 1.5 KiB}, {@code 2.0 GiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
