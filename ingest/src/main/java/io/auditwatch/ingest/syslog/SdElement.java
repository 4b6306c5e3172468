package io.auditwatch.ingest.syslog;

import java.util.List;
import java.util.Objects;

/** One RFC 5424 SD-ELEMENT, {@code [id name="value" ...]}; params in wire order, duplicates kept. */
public record SdElement(String id, List<SdParam> params) {
    public SdElement {
        Objects.requireNonNull(id, "id");
        params = List.copyOf(params);
    }
}
