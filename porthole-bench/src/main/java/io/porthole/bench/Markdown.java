package io.porthole.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Tables of results as Markdown (first column left, the rest right), and the number formats they use. */
final class Markdown {
    private Markdown() {}

    static void print(PrintStream out, List<String> header, List<List<String>> table) {
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            // at least 3: a delimiter cell needs a hyphen besides its colon
            widths[c] = Math.max(3, header.get(c).length());
            for (var row : table) widths[c] = Math.max(widths[c], row.get(c).length());
        }
        out.println(line(header, widths));
        var sep = new ArrayList<String>();
        for (int c = 0; c < widths.length; c++) sep.add("-".repeat(widths[c] - 1) + (c == 0 ? "-" : ":"));
        out.println(line(sep, widths));
        for (var row : table) out.println(line(row, widths));
    }

    private static String line(List<String> cells, int[] widths) {
        var sb = new StringBuilder("|");
        for (int c = 0; c < cells.size(); c++) {
            var cell = cells.get(c);
            var pad = " ".repeat(widths[c] - cell.length());
            sb.append(' ').append(c == 0 ? cell + pad : pad + cell).append(" |");
        }
        return sb.toString();
    }

    static String ms(double v) {
        if (Double.isNaN(v)) return "—";
        return String.format(Locale.ROOT, v < 10 ? "%.2f ms" : "%.1f ms", v);
    }

    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b <= 0) return "—";
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }
}
