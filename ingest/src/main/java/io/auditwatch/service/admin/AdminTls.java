package io.auditwatch.service.admin;

import io.auditwatch.ingest.transport.TlsContextSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * HTTPS on the admin port (keys {@code admin.tls.*}), with the listeners' certificate handling
 * ({@link TlsContextSource}: PEM files, TLS 1.2 and 1.3, reloaded when the files change).
 *
 * @param material certificate, key and, for mutual TLS, the client CA and policy
 * @param policy protocols and cipher suites ({@code tls.protocols}, {@code tls.cipher-suites}), as for the listeners
 * @param reloadInterval how often the files are checked for changes
 * @param operatorSubjects verified client certificate identities (first SAN DNS name, else CN)
 *     granted {@link AdminRole#OPERATOR}; every other verified certificate gets {@link AdminRole#READ}
 */
public record AdminTls(TlsContextSource.Material material, io.auditwatch.ingest.transport.TlsPolicy policy,
        Duration reloadInterval, List<String> operatorSubjects) {

    public AdminTls {
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        operatorSubjects = List.copyOf(operatorSubjects);
    }

    /** Whether a client certificate can authenticate (client-auth optional or required). */
    boolean mutual() {
        return material.clientAuth() != io.netty.handler.ssl.ClientAuth.NONE;
    }
}
