package io.auditwatch.alerting.engine;

import io.auditwatch.alerting.Delivery;
import io.auditwatch.alerting.DeliveryException;
import io.auditwatch.alerting.Notification;
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
            public Receipt send(Notification n) {
                sent.add(n);
                return new Receipt(250, "2.0.0 Ok: recorded");
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
