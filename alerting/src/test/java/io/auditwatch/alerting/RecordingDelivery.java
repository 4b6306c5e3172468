package io.auditwatch.alerting;

import io.auditwatch.alerting.outbox.Delivery;
import io.auditwatch.alerting.outbox.DeliveryException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A delivery that records what it accepts, and refuses everything while {@link #down} is set (relay down). */
final class RecordingDelivery implements Delivery {
    final List<Notification> sent = new CopyOnWriteArrayList<>();
    volatile boolean down;
    volatile int opens;

    @Override
    public String describe() {
        return "recording";
    }

    @Override
    public Batch open() throws DeliveryException {
        opens++;
        if (down) {
            throw new DeliveryException(DeliveryException.Reason.CONNECT, "connection refused (test)", null);
        }
        return new Batch() {
            @Override
            public void send(Notification n) {
                sent.add(n);
            }

            @Override
            public void close() {
            }
        };
    }

    List<String> subjects() {
        return sent.stream().map(Notification::subject).toList();
    }
}
