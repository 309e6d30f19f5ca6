package org.phrcloud.standards.hl7v2;

import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.util.StandardSocketFactory;
import org.phrcloud.identity.caller.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The MLLP listener (HL7 v2.5.1 Appendix C, Minimal Lower Layer Protocol) of HAPI's {@link HL7Service}: every message
 * goes to {@link Hl7v2Ingestion} and its ACK goes back on the same connection. It binds to one address (default
 * 127.0.0.1: put a TLS-terminating proxy or a VPN in front for other hosts). A connection carries no credentials, so
 * the sending facility (MSH-4) must be a registered institution (one with a signing key); the message is stored as
 * that institution's system ({@code mllp:<institution>} in the AuditEvent). Unknown senders get {@code AR}.
 * A bad message never stops the listener: each gets its ACK and the connection stays open.
 */
public class MllpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MllpListener.class);

    private final HL7Service server;
    private final int port;

    /**
     * Starts listening.
     *
     * @param bindAddress the address to bind (e.g. 127.0.0.1)
     * @param port        the TCP port; 0 for any free port (see {@link #port()})
     * @param registered  whether an institution id is registered
     * @throws IllegalStateException PHR-HL7-0904 when the port cannot be bound
     */
    public MllpListener(Hl7v2Ingestion ingestion, String bindAddress, int port, Predicate<String> registered) {
        HapiContext context = ingestion.context();
        InetAddress address;
        try {
            address = InetAddress.getByName(bindAddress);
            if (port == 0) {
                try (ServerSocket probe = new ServerSocket(0, 1, address)) {
                    port = probe.getLocalPort();
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("PHR-HL7-0904: cannot listen on " + bindAddress + ":" + port, e);
        }
        this.port = port;
        context.setSocketFactory(new BoundSocketFactory(address));
        // decode each message in the character set its MSH-18 declares (HL7 table 0211), not the platform default
        context.setLowerLayerProtocol(new ca.uhn.hl7v2.llp.MinLowerLayerProtocol(true));
        server = context.newServer(port, false);
        server.registerApplication("*", "*", new ReceivingApplication<Message>() {
            @Override
            public Message processMessage(Message message, Map<String, Object> metadata) throws HL7Exception {
                String ack = ingestion.receive(message, facility -> {
                    if (!registered.test(facility)) {
                        throw Hl7v2Ingestion.refusedSender("unknown sending facility " + facility);
                    }
                    return new Caller("mllp:" + facility, "mllp-" + facility, "mllp:" + facility, Set.of(), null, Instant.MAX, true,
                            Set.of(facility));
                });
                return context.getPipeParser().parse(ack);
            }

            @Override
            public boolean canProcess(Message message) {
                return true;
            }
        });
        try {
            server.startAndWait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("PHR-HL7-0904: interrupted while starting the MLLP listener", e);
        }
        if (server.getServiceExitedWithException() != null) {
            throw new IllegalStateException("PHR-HL7-0904: cannot listen on " + bindAddress + ":" + port, server.getServiceExitedWithException());
        }
        LOG.info("PHR-HL7-0001: MLLP listener on {}:{}", bindAddress, port);
    }

    /** The TCP port listened on. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stopAndWait();
    }

    /** HAPI binds its server socket to the wildcard address; this one rebinds it to the configured address. */
    private static final class BoundSocketFactory extends StandardSocketFactory {
        private final InetAddress address;

        BoundSocketFactory(InetAddress address) {
            this.address = address;
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public void bind(SocketAddress endpoint, int backlog) throws IOException {
                    int port = endpoint instanceof InetSocketAddress inet ? inet.getPort() : 0;
                    super.bind(new InetSocketAddress(address, port), backlog);
                }
            };
        }
    }
}
