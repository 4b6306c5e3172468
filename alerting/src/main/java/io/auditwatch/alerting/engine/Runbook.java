package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.AlertKind;
import java.util.ArrayList;
import java.util.List;

/**
 * "What to check first" per alert kind and stream: the three or four steps that find most causes,
 * so the person reading the email at 3 a.m. does not have to look them up.
 */
final class Runbook {
    /** The controls every audit failure alert serves; named in every email so it doubles as evidence. */
    static final List<String> CONTROLS = List.of(
            "CIS Docker Benchmark 1.2.3 (auditing is configured for the Docker daemon)",
            "DISA STIG DKER-EE-001590 (alert the ISSO and SA in the event of an audit processing failure)",
            "NIST SP 800-53 AU-5(a) (response to audit logging process failures: alert)");

    private Runbook() {
    }

    static List<String> checks(AlertKind kind, String stream) {
        List<String> out = new ArrayList<>();
        switch (kind) {
            case NODE_SILENT, STREAM_SILENT, NODE_NEVER_SEEN -> {
                out.addAll(streamChecks(stream));
                out.add("Is the node up and reachable (ping/ssh)? Was it decommissioned or renamed? Update the inventory if so");
                out.add("Network path from the node to auditwatch: nc -vz <auditwatch-host> 5514 (TCP), firewall rules, load balancer health");
            }
            case AUDIT_DISABLED -> {
                out.add("auditctl -s (enabled must be 1) and auditctl -l | grep /usr/bin/dockerd (CIS 1.2.3 rule -w /usr/bin/dockerd -k docker)");
                out.add("systemctl status auditd; grep -r dockerd /etc/audit/rules.d/; augenrules --check");
                out.add("Who changed it: ausearch -k docker -ts recent; the node's change history");
            }
            case AUDIT_RULE_MISSING -> {
                out.add("auditctl -l on the node: the control's watch (the alert names it) must be listed");
                out.add("Reload the shipped rules: cp docker.rules /etc/audit/rules.d/ && augenrules --load");
                out.add("Who removed it: ausearch -m CONFIG_CHANGE -ts recent (op=remove_rule, auid)");
            }
            case AUDIT_CONFIG_CHANGED -> {
                out.add("auditctl -s on the node (enabled must be 1; failure and backlog_limit as configured) and systemctl status auditd");
                out.add("Who did it: ausearch -m CONFIG_CHANGE,DAEMON_END,DAEMON_ABORT -ts recent and the auid's session (ausearch -ua <auid>)");
                out.add("Restore: auditctl -e 1 / augenrules --load / systemctl restart auditd; the next pulse resolves this alert");
            }
            case SPOOFING_ATTEMPT -> {
                out.add("Who sent them: the sender address or certificate in the alert; read the flagged events in audit.events (flags contain identity_mismatch, claimed_node names the node)");
                out.add("Is the claimed node itself still delivering? Its own silence alerts are not masked by the claims");
                out.add("A legitimate sender failing its rule: a renewed certificate naming another host, a changed address (inventory addresses:), or a relay; fix the sender or the inventory");
            }
            case EVENT_LAG -> {
                out.add("Sender clock: chronyc tracking / timedatectl on the node (sender timestamps far behind receive time)");
                out.add("Sender queue backlog: rsyslog action queue (impstats), or a Docker log driver in non-blocking mode dropping/buffering");
                out.add("Network path and throughput between the node and auditwatch");
            }
            case KAFKA_UNREACHABLE -> {
                out.add("Broker status: kafka-broker-api-versions.sh --bootstrap-server <kafka.bootstrap-servers>; broker logs and disk");
                out.add("DNS, TLS and network path from auditwatch to the brokers; the auditwatch log for the producer's last error");
                out.add("Spool size: auditwatch_spool_bytes (events are kept on local disk while Kafka is unreachable)");
            }
            case PUBLISH_FAILING -> {
                out.add("The auditwatch log for the producer error (authorization, record too large, topic missing)");
                out.add("Topic audit.events exists with the expected partitions; ACLs for the auditwatch principal");
                out.add("Broker disk and under-replicated partitions (acks=all needs the in-sync replicas)");
            }
            case EVENTS_DEAD_LETTERED -> {
                out.add("The auditwatch log and the aw.dead-letter-reason header: kcat -C -t audit.events.dlq -f '%h %S\\n'");
                out.add("Too large: kafka-configs.sh --describe --entity-type topics --entity-name audit.events (max.message.bytes);"
                        + " not authorized: the ACLs of the auditwatch principal on audit.events");
                out.add("After the fix, copy the dead letters back to audit.events (their key, value and aw.* headers are unchanged)");
            }
            case LISTENER_DOWN -> {
                out.add("Port in use or not permitted: ss -ltnup | grep -E ':(5514|6514)'");
                out.add("TLS listener: listeners.tls.cert-file and key-file exist, are readable and not expired");
                out.add("The auditwatch start-up log for the bind error");
            }
            case PARSE_FAILURES -> {
                out.add("Which sender changed format: auditwatch_parse_failures_total and the unparsed events in audit.events");
                out.add("Docker log-opts syslog-format (rfc5424 recommended) and rsyslog templates on recently changed nodes");
                out.add("Raw bytes are stored for unparsed events: nothing is lost, but classification (and so heartbeat) may be");
            }
            case CONSUMER_LAG -> {
                out.add("kafka-consumer-groups.sh --describe --group <heartbeat group>: lag per partition and live members");
                out.add("CPU and GC of the auditwatch replicas; a replica stuck in rebalancing");
                out.add("While lag is high, silence detection is late: node alerts may be delayed by the lag");
            }
            case DISK_NEARLY_FULL, SPOOL_FULL -> {
                out.add("df -h <data-dir>: spool, embedded Kafka data and outbox share it");
                out.add("Why the spool grows: is Kafka reachable (auditwatch_spool_bytes, KAFKA_UNREACHABLE alerts)?");
                out.add("Kafka retention and segment sizes of the embedded broker");
            }
            case HEARTBEAT_CONSUMER_DOWN -> {
                out.add("The named instance's log for 'heartbeat consumer failed' and its cause; /status shows the restarts");
                out.add("kafka-consumer-groups.sh --describe --group auditwatch-heartbeat: members, and a foreign member"
                        + " with another assignor; the state topic auditwatch.heartbeat exists and is readable");
                out.add("It restarts itself with back-off; after heartbeat.consumer-restart-limit failures /health turns 503"
                        + " and the orchestrator restarts the process");
            }
            case TEST -> out.add("Nothing to check: this is a test of alert delivery");
        }
        return out;
    }

    private static List<String> streamChecks(String stream) {
        if (stream == null) {
            return List.of("The node's senders: docker info --format '{{.LoggingDriver}}', systemctl status rsyslog auditd");
        }
        return switch (stream) {
            case "ucp-audit" -> List.of(
                    "docker logs ucp-controller (UCP audit logging level: none, metadata or request)",
                    "The node's /etc/docker/daemon.json log-driver (syslog) and log-opts syslog-address pointing at auditwatch");
            case "dtr" -> List.of(
                    "docker ps --filter name=dtr- and docker logs of the DTR containers",
                    "The log driver and syslog-address of the DTR containers");
            case "auditd" -> List.of(
                    "auditctl -l | grep dockerd (the CIS 1.2.3 rule is loaded) and systemctl status auditd",
                    "The pulse timer: systemctl list-timers | grep auditwatch (it touches /usr/bin/dockerd's watch so silence means broken forwarding)",
                    "Forwarding: systemctl status rsyslog, the audisp syslog plugin or omfwd target");
            case "dockerd" -> List.of(
                    "journalctl -u docker --since -1h and systemctl status docker",
                    "The node's /etc/docker/daemon.json log-driver and log-opts syslog-address");
            default -> List.of(
                    "The sender of stream " + stream + " on the node: its log driver or rsyslog forwarding to auditwatch");
        };
    }
}
