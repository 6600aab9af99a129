package dev.dbstack.cli;

import dev.dbstack.apply.Applier;
import dev.dbstack.apply.Progress;
import dev.dbstack.model.ServiceId;
import java.io.PrintStream;

/**
 * Apply progress for people. Always one line per event (logs and CI read those); on a terminal that
 * can redraw ({@link Terminal#canRedraw}: not under CI, not {@code TERM=dumb}) also a status line kept
 * at the bottom and redrawn in place: applying, done, failed. Elsewhere plain lines, no escape codes.
 */
final class ConsoleProgress implements Progress {
    private final PrintStream out;
    private final boolean live;
    private boolean begun;
    private int running;
    private int done;
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
    public synchronized void started(ServiceId service) {
        begun = true;
        running++;
        event("start " + service);
    }

    @Override
    public synchronized void waiting(ServiceId service, String reason) {
        event("  waiting for " + service + ": " + reason);
    }

    @Override
    public synchronized void finished(ServiceId service, Applier.Outcome outcome) {
        if (outcome != Applier.Outcome.SKIPPED) running = Math.max(0, running - 1); // a skipped one never started
        if (outcome == Applier.Outcome.SUCCEEDED) done++;
        else failed++;
        clearStatus();
        drawStatus();
    }

    private void clearStatus() {
        if (live) out.print("\r\033[2K");
    }

    private void drawStatus() {
        if (!live || !begun) return;
        out.print("[" + running + " applying, " + done + " done, " + failed + " failed]");
        out.flush();
    }

    /** Ends the live line so that what follows starts on a clean one. */
    synchronized void close() {
        if (live && begun) {
            clearStatus();
            out.flush();
        }
    }
}
