package io.auditwatch.ingest.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The one configuration loader: YAML file, then {@code AUDITWATCH_*} environment overrides, then
 * validation of every key. Unknown keys in the file are errors (a typo must not silently fall back
 * to a default), and so are secrets written into the file.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
        return new Config(values, origins, fileName);
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
            if (key == null && v.isObject() && isPrefix(path, known)) {
                flatten(file, path, v, known, raw, origins);
                continue;
            }
            if (key == null) {
                throw new ConfigException(file, path, "unknown key; known keys here: " + siblings(prefix, known));
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
