package io.auditwatch.ingest.classify;

/**
 * What a syslog APP-NAME / TAG says about its sender, read best-effort from Docker's tag templates
 * (ingest/README.md, "Docker's syslog log driver": default {@code {{.ID}}} = 12 hex digits; common {@code
 * {{.Name}}/{{.ID}}} and {@code {{.ImageName}}/{{.Name}}/{{.ID}}}; image names contain {@code /} and {@code
 * :}, container
 * names never do) and from the daemons' own syslog idents.
 *
 * @param containerName Docker container name, or null
 * @param containerId 12- or 64-hex-digit ID, or null
 * @param component bounded component name (see {@link Components}), or null
 * @param daemon true for dockerd / docker / containerd's own idents
 * @param auditSender true for audisp-syslog / audispd
 */
record DockerTag(String containerName, String containerId, String component, boolean daemon,
                 boolean auditSender) {

    static final DockerTag NONE = new DockerTag(null, null, null, false, false);

    /** Short ({@code {{.ID}}}) and full ({@code {{.FullID}}}) container ID lengths (log_tags docs). */
    private static final int SHORT_ID_LENGTH = 12;
    private static final int FULL_ID_LENGTH = 64;
    /** DTR replica IDs are 12 hex digits ({@code dtr-api-<replicaID>}, ingest/README.md, "DTR / MSR events"). */
    private static final int DTR_REPLICA_ID_LENGTH = 12;

    /** True when the tag identifies a container (by ID, or by a recognised container name). */
    boolean container() {
        return containerId != null || containerName != null;
    }

    static DockerTag parse(String tag) {
        if (tag == null) {
            return NONE;
        }
        String t = stripPidAndColon(tag.strip());
        if (t.isEmpty()) {
            return NONE;
        }
        // "dockerd-current" (RHEL's docker package) and other dockerd-* builds log under their binary name.
        if (t.equalsIgnoreCase("docker") || t.regionMatches(true, 0, "dockerd", 0, 7)) {
            return new DockerTag(null, null, Components.DOCKERD, true, false);
        }
        if (t.equalsIgnoreCase("containerd")) {
            return new DockerTag(null, null, Components.CONTAINERD, true, false);
        }
        if (t.equals("audisp-syslog")) {
            return new DockerTag(null, null, Components.AUDISP_SYSLOG, false, true);
        }
        if (t.equals("audispd")) {
            return new DockerTag(null, null, Components.AUDISPD, false, true);
        }
        int lastSlash = t.lastIndexOf('/');
        String last = t.substring(lastSlash + 1);
        String id = null;
        String name = null;
        if (isContainerId(last)) {
            id = last;
            if (lastSlash > 0) {
                int prevSlash = t.lastIndexOf('/', lastSlash - 1);
                name = t.substring(prevSlash + 1, lastSlash);
            }
        } else {
            // {{.Name}}, or a hand-written "docker/{{.Name}}", or an image prefix before the name.
            name = last;
        }
        if (name != null && !isContainerName(name)) {
            name = null;
        }
        String component = null;
        if (t.contains(Components.UCP_CONTROLLER)) {
            component = Components.UCP_CONTROLLER;
        } else if (t.contains(Components.UCP_KUBE_APISERVER)) {
            component = Components.UCP_KUBE_APISERVER;
        } else if (name != null && name.startsWith("dtr-")) {
            component = dtrComponent(name);
        }
        // Without an ID, a bare name is only a container name when it is a known Docker component;
        // otherwise it is just some program's ident ("sshd", "CRON").
        boolean knownName = component != null || t.startsWith("docker/");
        if (id == null && !knownName) {
            name = null;
        }
        return new DockerTag(name, id, component, false, false);
    }

    /** {@code dtr-<part>-<replicaID>} to {@code dtr-<part>}; {@code dtr} when the part is unknown. */
    static String dtrComponent(String name) {
        String rest = name.substring("dtr-".length());
        int dash = rest.lastIndexOf('-');
        if (dash > 0 && rest.length() - dash - 1 == DTR_REPLICA_ID_LENGTH
                && isHex(rest, dash + 1, rest.length())) {
            rest = rest.substring(0, dash);
        }
        return Components.dtr(rest);
    }

    private static String stripPidAndColon(String t) {
        int end = t.length();
        if (end > 0 && t.charAt(end - 1) == ':') {
            end--;
        }
        if (end > 0 && t.charAt(end - 1) == ']') {
            int open = t.lastIndexOf('[', end - 1);
            if (open > 0 && isDigits(t, open + 1, end - 1)) {
                end = open;
            }
        }
        return t.substring(0, end);
    }

    static boolean isContainerId(String s) {
        return (s.length() == SHORT_ID_LENGTH || s.length() == FULL_ID_LENGTH) && isHex(s, 0, s.length());
    }

    /** Docker's container name rule: {@code [a-zA-Z0-9][a-zA-Z0-9_.-]+}. */
    static boolean isContainerName(String s) {
        if (s.length() < 2 || !isAlnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '_' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return to > from;
    }

    private static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return to > from;
    }
}
