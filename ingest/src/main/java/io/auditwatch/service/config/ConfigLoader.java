package io.auditwatch.service.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one configuration loader: YAML file, then {@code AUDITWATCH_*} environment overrides, then
 * validation of every key. Unknown keys in the file and {@code AUDITWATCH_*} variables that name no
 * key are errors (a typo must not silently fall back to a default), and so are secrets written into
 * the file.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String ENV_PREFIX = "AUDITWATCH_";

    private ConfigLoader() {
    }

    /**
     * @param file the YAML file, or null to use defaults and the environment only
     * @param env the environment (System.getenv() in production)
     * @throws ConfigException naming origin, key and what is expected
     */
    public static Config load(Path file, Map<String, String> env) {
        Map<String, String> raw = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        String fileName = file == null ? null : file.toString();
        if (file != null) {
            readFile(file, raw, origins);
        }
        for (ConfigKey<?> key : Keys.ALL) {
            String v = env.get(key.envVar());
            if (v != null) {
                raw.put(key.path(), v);
                origins.put(key.path(), "environment " + key.envVar());
            }
        }
        Map<String, List<String>> maps = new LinkedHashMap<>();
        Set<String> readVariables = new HashSet<>(Keys.OTHER_ENVIRONMENT);
        Keys.ALL.forEach(k -> readVariables.add(k.envVar()));
        for (String prefix : Keys.MAP_PREFIXES) {
            String envPrefix = ConfigKey.envVarFor(prefix) + "_";
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getKey().startsWith(envPrefix) && e.getKey().length() > envPrefix.length()) {
                    String child = e.getKey().substring(envPrefix.length()).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                    raw.put(prefix + "." + child, e.getValue());
                    origins.put(prefix + "." + child, "environment " + e.getKey());
                    readVariables.add(e.getKey());
                }
            }
        }
        rejectUnknownVariables(env, readVariables);
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String prefix = mapPrefixOf(e.getKey());
            if (prefix != null) {
                maps.computeIfAbsent(e.getKey(), k -> ValueType.LIST.parse(e.getValue()));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey<?> key : Keys.ALL) {
            String text = raw.get(key.path());
            String origin = origins.getOrDefault(key.path(), "default");
            if (text == null) {
                text = key.defaultValue();
            }
            try {
                values.put(key.path(), key.type().parse(text));
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new ConfigException(origin, key.path(),
                        "expected " + key.type().expected() + ", got '" + (key.secret() ? "(redacted)" : text) + "'");
            }
            origins.put(key.path(), origin);
        }
        for (Map.Entry<String, List<String>> e : maps.entrySet()) {
            values.putIfAbsent(e.getKey(), e.getValue());
        }
        return new Config(values, origins, fileName);
    }

    /**
     * A misspelt variable must not silently leave a default in place (an unset {@code admin.username}
     * leaves the admin API open), so every {@code AUDITWATCH_*} variable must name a key.
     */
    private static void rejectUnknownVariables(Map<String, String> env, Set<String> readVariables) {
        List<String> keyVariables = Keys.ALL.stream().map(ConfigKey::envVar).toList();
        for (String name : new TreeSet<>(env.keySet())) {
            if (name.startsWith(ENV_PREFIX) && !readVariables.contains(name)) {
                String nearest = nearest(name, keyVariables);
                throw new ConfigException("environment " + name, "(unknown key)",
                        "names no configuration key; did you mean " + nearest + " (" + pathOfEnvVar(nearest) + ")?");
            }
        }
    }

    private static String pathOfEnvVar(String variable) {
        return Keys.ALL.stream().filter(k -> k.envVar().equals(variable)).findFirst().orElseThrow().path();
    }

    /** The candidate with the smallest edit distance (Levenshtein) to {@code name}; the first one on a tie. */
    static String nearest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    /** The map prefix a path belongs to ({@code alerting.recipients.ops}), or null. */
    static String mapPrefixOf(String path) {
        for (String prefix : Keys.MAP_PREFIXES) {
            if (path.startsWith(prefix + ".") && path.indexOf('.', prefix.length() + 1) < 0) {
                return prefix;
            }
        }
        return null;
    }

    private static void readFile(Path file, Map<String, String> raw, Map<String, String> origins) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "(file)", "does not exist");
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(file.toString(), "(file)", "is not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "(file)", "cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException(file.toString(), "(file)", "expected a YAML mapping at the top level");
        }
        Map<String, ConfigKey<?>> known = new LinkedHashMap<>();
        for (ConfigKey<?> k : Keys.ALL) {
            known.put(k.path(), k);
        }
        flatten(file.toString(), "", root, known, raw, origins);
    }

    private static void flatten(String file, String prefix, JsonNode node, Map<String, ConfigKey<?>> known,
            Map<String, String> raw, Map<String, String> origins) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            JsonNode v = e.getValue();
            ConfigKey<?> key = known.get(path);
            if (key == null && v.isObject() && (isPrefix(path, known) || Keys.MAP_PREFIXES.contains(path))) {
                flatten(file, path, v, known, raw, origins);
                continue;
            }
            if (key == null && mapPrefixOf(path) != null && (v.isArray() || v.isValueNode())) {
                raw.put(path, listText(file, path, v));
                origins.put(path, file);
                continue;
            }
            if (key == Keys.ALERT_ESCALATION && v.isArray()) {
                raw.put(path, escalationText(file, path, v));
                origins.put(path, file);
                continue;
            }
            if (key == null) {
                throw new ConfigException(file, path, "unknown key; did you mean " + nearest(path, known.keySet())
                        + "? known keys here: " + siblings(prefix, known));
            }
            if (key.secret()) {
                throw new ConfigException(file, path, "secrets are not read from the configuration file; set "
                        + key.envVar() + " or use the matching *-file key");
            }
            String text;
            if (v.isNull()) {
                text = "";
            } else if (v.isArray()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode item : v) {
                    if (!item.isValueNode()) {
                        throw new ConfigException(file, path, "expected a list of plain values");
                    }
                    parts.add(item.asText());
                }
                text = String.join(",", parts);
            } else if (v.isValueNode()) {
                text = v.asText();
            } else {
                throw new ConfigException(file, path, "expected " + key.type().expected());
            }
            raw.put(path, text);
            origins.put(path, file);
        }
    }

    private static String listText(String file, String path, JsonNode v) {
        if (v.isValueNode()) {
            return v.isNull() ? "" : v.asText();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isValueNode()) {
                throw new ConfigException(file, path, "expected a list of plain values");
            }
            parts.add(item.asText());
        }
        return String.join(",", parts);
    }

    /** {@code [{after: 2h, roles: [ops, ciso]}]} as the environment form {@code 2h:ops+ciso}. */
    private static String escalationText(String file, String path, JsonNode v) {
        List<String> steps = new ArrayList<>();
        for (JsonNode step : v) {
            JsonNode after = step.get("after");
            JsonNode roles = step.get("roles");
            if (!step.isObject() || after == null || !after.isValueNode() || roles == null || !roles.isArray()
                    || step.size() != 2) {
                throw new ConfigException(file, path, "expected a list of {after: <duration>, roles: [<role>, ...]}");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode r : roles) {
                names.add(r.asText());
            }
            steps.add(after.asText() + ":" + String.join("+", names));
        }
        return String.join(",", steps);
    }

    private static boolean isPrefix(String path, Map<String, ConfigKey<?>> known) {
        String p = path + ".";
        return known.keySet().stream().anyMatch(k -> k.startsWith(p));
    }

    private static String siblings(String prefix, Map<String, ConfigKey<?>> known) {
        String p = prefix.isEmpty() ? "" : prefix + ".";
        TreeSet<String> names = new TreeSet<>();
        for (String k : known.keySet()) {
            if (k.startsWith(p)) {
                String rest = k.substring(p.length());
                int dot = rest.indexOf('.');
                names.add(dot < 0 ? rest : rest.substring(0, dot));
            }
        }
        return String.join(", ", names);
    }
}
