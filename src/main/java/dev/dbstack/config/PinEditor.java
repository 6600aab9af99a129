package dev.dbstack.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.dbstack.model.SourceRef;
import dev.dbstack.model.UserInputException;
import dev.dbstack.yaml.Node;
import dev.dbstack.yaml.YamlReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites the {@code profile:} pin of one app deployment in a stack file, Git style: only the characters of
 * that one value change (in the quoting it was written with), so comments, order and layout of everything else
 * stay byte for byte. The result is read back and must equal the original with only that pin changed.
 */
public final class PinEditor {
    private static final YAMLFactory YAML = new YAMLFactory();

    private PinEditor() {}

    /** Rewrites {@code file} in place (atomically). @throws UserInputException when it cannot be done safely */
    public static void setPin(Path file, String display, String app, String newRef) {
        String text;
        Path target;
        try {
            target = file.toRealPath();
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(target))).toString();
        } catch (CharacterCodingException e) {
            throw refused(display, 0, app, "it is not UTF-8 text");
        } catch (IOException e) {
            throw refused(display, 0, app, "cannot read it: " + e.getMessage());
        }
        String edited = withPin(text, display, app, newRef);
        try {
            StackFileEditor.replaceAtomically(target, edited.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw refused(display, 0, app, "cannot write it: " + e.getMessage());
        }
    }

    /** {@code text} with app {@code app}'s {@code profile:} value replaced by {@code newRef}. */
    public static String withPin(String text, String display, String app, String newRef) {
        int[] span;
        try {
            span = pinSpan(text, app);
        } catch (IOException | RuntimeException e) {
            span = null;
        }
        if (span == null) throw refused(display, 0, app, "its profile: value is not a plain scalar of config."
                + StackLoader.APPS + " dbstack can find");
        String written = text.substring(span[0], span[1]);
        char q = written.isEmpty() ? ' ' : written.charAt(0);
        String replacement = q == '"' ? "\"" + newRef + "\"" : q == '\'' ? "'" + newRef + "'" : newRef;
        String edited = text.substring(0, span[0]) + replacement + text.substring(span[1]);
        Node before = YamlReader.read(new StringReader(text), display);
        Node after;
        try {
            after = YamlReader.read(new StringReader(edited), display);
        } catch (UserInputException e) {
            after = null;
        }
        if (after == null || !same(before, after, app, newRef)) {
            throw refused(display, 0, app, "its layout is one dbstack cannot edit without risk");
        }
        return edited;
    }

    /** Start and end offsets of the app's profile: scalar as written (with its quotes), or null. */
    private static int[] pinSpan(String text, String app) throws IOException {
        try (JsonParser p = YAML.createParser(new StringReader(text))) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                if (!key.equals("config") || p.currentToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String ck = p.currentName();
                    p.nextToken();
                    if (!ck.equals(StackLoader.APPS) || p.currentToken() != JsonToken.START_ARRAY) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String name = null;
                        int[] span = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String ak = p.currentName();
                            JsonToken v = p.nextToken();
                            if (ak.equals("name") && v == JsonToken.VALUE_STRING) name = p.getText();
                            else if (ak.equals("profile") && v == JsonToken.VALUE_STRING) {
                                span = new int[] {StackFileEditor.offset(text, p.currentTokenLocation()),
                                        StackFileEditor.offset(text, p.currentLocation())};
                            } else p.skipChildren();
                        }
                        if (app.equals(name)) return span;
                    }
                    return null;
                }
            }
        }
        return null;
    }

    /** Whether {@code after} is {@code before} with only the app's pin set to {@code newRef}. */
    private static boolean same(Node before, Node after, String app, String newRef) {
        Object expected = withPinValue(mutable(ProjectConfig.canonical(before)), app, newRef);
        return expected != null && expected.equals(ProjectConfig.canonical(after));
    }

    private static Object withPinValue(Object root, String app, String newRef) {
        if (!(root instanceof Map<?, ?> r) || !(r.get("config") instanceof Map<?, ?> c)
                || !(c.get(StackLoader.APPS) instanceof List<?> apps)) return null;
        for (Object item : apps) {
            if (item instanceof Map<?, ?> m && app.equals(m.get("name"))) {
                @SuppressWarnings("unchecked") Map<String, Object> mm = (Map<String, Object>) m;
                mm.put("profile", newRef);
                return root;
            }
        }
        return null;
    }

    private static Object mutable(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.TreeMap<>();
            m.forEach((k, v) -> out.put((String) k, mutable(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(mutable(x)));
            return out;
        }
        return o;
    }

    private static UserInputException refused(String display, int line, String app, String why) {
        return UserInputException.of(new SourceRef(display, line), "config." + StackLoader.APPS + "[" + app + "].profile",
                "cannot rewrite this app's pin: " + why + ". Nothing was changed; edit the profile: line by hand");
    }
}
