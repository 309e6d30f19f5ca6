/**
 * MicroProfile Health 4.0 checks of the server WAR, served by Payara Server at {@code /health/started},
 * {@code /health/live} and {@code /health/ready} (Kubernetes probes; ARCHITECTURE.md "Running it").
 */
package org.phrcloud.server.health;
