package dev.dbstack.cli;

import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.model.ServiceId;
import java.io.PrintStream;
import java.util.List;

/**
 * Apply progress for people. Always one line per event (logs and CI read those); on a terminal that
 * can redraw ({@link Terminal#canRedraw}: not under CI, not {@code TERM=dumb}) also a status line kept
 * at the bottom and redrawn in place: wave, running, ready, failed. Elsewhere plain lines, no escape codes.
 */
final class ConsoleProgress implements Progress {
    private final PrintStream out;
    private final boolean live;
    private int wave;
    private int waves;
    private int running;
    private int ready;
    private int failed;

    ConsoleProgress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** Live only when stdout is a terminal that can redraw. */
    static ConsoleProgress forStdout() {
        return new ConsoleProgress(System.out, Terminal.canRedraw());
    }

    @Override
    public synchronized void event(String line) {
        clearStatus();
        out.println(line);
        drawStatus();
    }

    @Override
    public synchronized void wave(int index, int total, List<ServiceId> services) {
        wave = index;
        waves = total;
        running = services.size();
        event("wave " + index + "/" + total + ": " + services.stream().map(ServiceId::toString).reduce((a, b) -> a + ", " + b).orElse(""));
    }

    @Override
    public synchronized void finished(ServiceId service, Applier.Outcome outcome) {
        running = Math.max(0, running - 1);
        if (outcome == Applier.Outcome.SUCCEEDED) ready++;
        else failed++;
        clearStatus();
        drawStatus();
    }

    private void clearStatus() {
        if (live) out.print("\r\033[2K");
    }

    private void drawStatus() {
        if (!live || waves == 0) return;
        out.print("[wave " + wave + "/" + waves + "] " + running + " applying, " + ready + " ready, " + failed + " failed");
        out.flush();
    }

    /** Ends the live line so that what follows starts on a clean one. */
    synchronized void close() {
        if (live && waves > 0) {
            clearStatus();
            out.flush();
        }
    }
}
