package dev.dbstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * The example CI pipelines in {@code examples/ci/} call only commands and options the CLI has: every
 * shell line of a GitHub Actions {@code run:} or a GitLab CI {@code script:} that invokes
 * {@code dbstack} (or {@code bin/dbstack}) is split into arguments as a shell would — quotes, {@code \}
 * continuations, {@code $VAR}, {@code ${VAR}}, {@code $(...)} and {@code ${{ ... }}} replaced by a dummy
 * word — and parsed by the same picocli command line {@link Main#run} executes. Parsing runs nothing.
 */
class CiExamplesTest {
    private static final Path GITHUB = Path.of("examples/ci/github/dbstack.yml");
    private static final Path GITLAB = Path.of("examples/ci/gitlab/.gitlab-ci.yml");
    private static final Set<String> GITHUB_KEYS = Set.of("run");
    private static final Set<String> GITLAB_KEYS = Set.of("script", "before_script", "after_script");
    private static final String DUMMY = "x";

    @Test
    void githubWorkflowCallsOnlyWhatTheCliHas() throws IOException {
        // preview on the pull request and in the drift check, up and outputs on main
        assertThat(checkAll(GITHUB, GITHUB_KEYS)).containsExactlyInAnyOrder("preview", "up", "outputs", "preview");
    }

    @Test
    void gitlabPipelineCallsOnlyWhatTheCliHas() throws IOException {
        assertThat(checkAll(GITLAB, GITLAB_KEYS)).containsExactlyInAnyOrder("preview", "up", "outputs", "preview");
    }

    @Test
    void anOptionTheCliDoesNotHaveFailsTheCheck() {
        String yaml = """
                jobs:
                  preview:
                    steps:
                      - run: |
                          dbstack preview --stack "$STACK" \\
                            --format markdown --no-such-option > plan.md
                """;
        List<Invocation> found = invocations("inline.yml", new Yaml().load(yaml), GITHUB_KEYS);
        assertThat(found).singleElement().satisfies(i -> assertThat(i.args())
                .containsExactly("preview", "--stack", DUMMY, "--format", "markdown", "--no-such-option"));
        assertThatThrownBy(() -> parse(found.get(0))).isInstanceOf(CommandLine.UnmatchedArgumentException.class)
                .hasMessageContaining("--no-such-option");
        List<Invocation> unknownCommand = invocations("inline.yml", Map.of("script", List.of("bin/dbstack frobnicate")), GITLAB_KEYS);
        assertThatThrownBy(() -> parse(unknownCommand.get(0))).isInstanceOf(CommandLine.ParameterException.class);
    }

    @Test
    void splitsLikeAShell() {
        assertThat(words("a 'b c' \"d $E ${F}\" ${{ secrets.G }} $(h i) j\\ k >out 2>&1 # comment")).containsExactly(
                "a", "b c", "d x x", "x", "x", "j k", ">", "out", "2>&1");
        assertThat(invocations("s", Map.of("run", "code=0; ./bin/dbstack up --yes || code=$?\necho dbstack\n"
                + "echo \"dbstack preview --bogus\"\nif dbstack preview -s \"$S\"; then :; fi"), GITHUB_KEYS))
                .extracting(Invocation::args)
                .containsExactly(List.of("up", "--yes"), List.of("preview", "-s", DUMMY));
    }

    /** Parses every invocation in the file; returns the subcommand of each. Fails listing every bad line. */
    private static List<String> checkAll(Path file, Set<String> keys) throws IOException {
        Object doc = new Yaml().load(Files.readString(file));
        List<Invocation> found = invocations(file.toString(), doc, keys);
        assertThat(found).as("dbstack invocations in %s", file).isNotEmpty();
        List<String> failures = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (Invocation i : found) {
            try {
                CommandLine.ParseResult result = parse(i);
                if (!result.hasSubcommand()) failures.add(i + ": no subcommand");
                else commands.add(result.subcommand().commandSpec().name());
            } catch (CommandLine.ParameterException e) {
                failures.add(i + ": " + e.getMessage());
            }
        }
        assertThat(failures).as("dbstack invocations the CLI refuses in %s", file).isEmpty();
        return commands;
    }

    private static CommandLine.ParseResult parse(Invocation i) {
        return Main.commandLine(new Main()).parseArgs(i.args().toArray(String[]::new));
    }

    record Invocation(String where, String line, List<String> args) {
        @Override
        public String toString() {
            return where + ": " + line.strip();
        }
    }

    /** Every dbstack invocation in the shell scripts under {@code keys}, anywhere in the YAML tree. */
    static List<Invocation> invocations(String file, Object node, Set<String> keys) {
        List<Invocation> out = new ArrayList<>();
        walk(file, node, keys, out);
        return out;
    }

    private static void walk(String where, Object node, Set<String> keys, List<Invocation> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                String here = where + "/" + k;
                if (keys.contains(String.valueOf(k))) {
                    if (v instanceof String s) script(here, s, out);
                    else if (v instanceof List<?> list) list.forEach(item -> { if (item instanceof String s) script(here, s, out); });
                } else {
                    walk(here, v, keys, out);
                }
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) walk(where + "[" + i + "]", list.get(i), keys, out);
        }
    }

    private static final Pattern DBSTACK = Pattern.compile("(?:.*/)?dbstack");
    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");
    private static final Set<String> SEPARATORS = Set.of(";", "&&", "||", "|", "&", "(", ")", "\n");
    private static final Set<String> KEYWORDS = Set.of("if", "then", "else", "elif", "do", "while", "until", "!", "time", "exec");

    private static void script(String where, String script, List<Invocation> out) {
        // A backslash at the end of a line continues it.
        String joined = script.replaceAll("\\\\\r?\n", " ");
        for (String line : joined.split("\n")) {
            List<String> tokens = words(line);
            boolean commandStart = true;
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (SEPARATORS.contains(t) || KEYWORDS.contains(t) && commandStart) {
                    commandStart = true;
                } else if (commandStart && ASSIGNMENT.matcher(t).matches()) {
                    // FOO=bar dbstack ...: still the command's start
                } else if (commandStart && DBSTACK.matcher(t).matches()) {
                    List<String> args = new ArrayList<>();
                    int j = i + 1;
                    for (; j < tokens.size() && !SEPARATORS.contains(tokens.get(j)); j++) {
                        String a = tokens.get(j);
                        if (isRedirect(a)) {
                            if (!a.matches(".*[<>]&\\d+")) j++; // its target
                        } else {
                            args.add(a);
                        }
                    }
                    out.add(new Invocation(where, line, args));
                    i = j - 1;
                    commandStart = false;
                } else {
                    commandStart = false;
                }
            }
        }
    }

    private static boolean isRedirect(String token) {
        return token.matches("\\d*(>>?|<)(&\\d+)?");
    }

    /**
     * Shell words and operators of one line: quotes removed, expansions replaced by {@link #DUMMY},
     * operators ({@code ; && || | & ( ) > >> < 2> 2>&1}) as tokens of their own, a comment dropped.
     * Good enough for CI scripts, not a shell.
     */
    static List<String> words(String line) {
        String s = line.replaceAll("\\$\\{\\{.*?}}", java.util.regex.Matcher.quoteReplacement(DUMMY));
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                if (inWord) out.add(w.toString());
                w.setLength(0);
                inWord = false;
                i++;
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '\'') {
                int end = s.indexOf('\'', i + 1);
                if (end < 0) end = s.length();
                w.append(s, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char d = s.charAt(i);
                    if (d == '\\' && i + 1 < s.length() && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) {
                        w.append(s.charAt(i + 1));
                        i += 2;
                    } else if (d == '$') {
                        i = expansion(s, i, w);
                    } else {
                        w.append(d);
                        i++;
                    }
                }
                inWord = true;
                i++;
            } else if (c == '\\') {
                if (i + 1 < s.length()) w.append(s.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (c == '$') {
                i = expansion(s, i, w);
                inWord = true;
            } else if (";&|()<>".indexOf(c) >= 0) {
                String fd = inWord && w.toString().matches("\\d+") && (c == '>' || c == '<') ? w.toString() : "";
                if (inWord && fd.isEmpty()) out.add(w.toString());
                w.setLength(0);
                inWord = false;
                String op;
                if (s.startsWith("&&", i) || s.startsWith("||", i) || s.startsWith(">>", i)) op = s.substring(i, i + 2);
                else op = String.valueOf(c);
                i += op.length();
                if (op.startsWith(">") || op.equals("<")) {
                    java.util.regex.Matcher dup = Pattern.compile("&\\d+").matcher(s).region(i, s.length());
                    if (dup.lookingAt()) {
                        op += dup.group();
                        i = dup.end();
                    }
                }
                out.add(fd + op);
            } else {
                w.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) out.add(w.toString());
        return out;
    }

    /** Replaces the expansion at {@code s[i] == '$'} by the dummy word; returns the index after it. */
    private static int expansion(String s, int i, StringBuilder w) {
        int j = i + 1;
        if (j < s.length() && (s.charAt(j) == '(' || s.charAt(j) == '{')) {
            char open = s.charAt(j), close = open == '(' ? ')' : '}';
            int depth = 0;
            for (; j < s.length(); j++) {
                if (s.charAt(j) == open) depth++;
                else if (s.charAt(j) == close && --depth == 0) break;
            }
            j++;
        } else if (j < s.length() && "?$#!@*-0123456789".indexOf(s.charAt(j)) >= 0) {
            j++;
        } else {
            while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) j++;
            if (j == i + 1) { // a lone $
                w.append('$');
                return j;
            }
        }
        w.append(DUMMY);
        return Math.min(j, s.length());
    }
}
