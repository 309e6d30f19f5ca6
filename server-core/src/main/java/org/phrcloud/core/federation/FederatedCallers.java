package org.phrcloud.core.federation;

import org.phrcloud.connector.ActingParty;
import org.phrcloud.connector.ClientAssertion;
import org.phrcloud.connector.InvalidAssertionException;
import org.phrcloud.connector.NetworkRegistry;
import org.phrcloud.database.SchemaMigrations;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.caller.Caller;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;

/**
 * The callers of other deployments (ARCHITECTURE.md "Federation", trust model): a request whose bearer token is a
 * {@link ClientAssertion} is accepted when the assertion verifies against the JWK Set its institution published on
 * chain, names this deployment's registered endpoint as audience, and was not used before (its {@code jti} is
 * recorded until it expires, in {@code phr_federation_assertion}, shared by all replicas). The caller is then the
 * person the institution acts for: their user id at that institution joined to its account id
 * ({@code <subject_id>@<account id>}, so that no id of a local person can be claimed), their name, their care-giver
 * role, their {@code acr}, and as institution the calling institution's CAIP-10 account id (never one of this
 * deployment's institution ids, so no care relationship or consent given to a local institution or person applies).
 * Where such a caller may go is decided by the FHIR endpoint (its bearer-token interceptor) and by {@code /api}'s
 * {@code Party.FEDERATED_CARE_GIVER}; everything else is refused (deny by default).
 */
public final class FederatedCallers {
    private final DataSource dataSource;
    private final NetworkRegistry registry;
    private final String ownAccountId;
    private final Clock clock;

    /** @param ownAccountId this deployment's institution account, CAIP-10; its endpoint on chain is the audience */
    public FederatedCallers(DataSource dataSource, NetworkRegistry registry, String ownAccountId, Clock clock) {
        this.dataSource = dataSource;
        this.registry = registry;
        this.ownAccountId = ownAccountId;
        this.clock = clock;
        SchemaMigrations.migrate(dataSource, "federation", FederatedCallers.class);
    }

    /** The verified assertion and the caller it makes. */
    public record FederatedCaller(Caller caller, ClientAssertion.Verified assertion) {
    }

    /**
     * Verifies an assertion and records its {@code jti}.
     *
     * @throws InvalidAssertionException {@code PHR-FEDERATION-0401} to {@code 0409}
     * @throws NetworkRegistry.RegistryUnavailableException when the chain cannot be read
     */
    public FederatedCaller verify(String token) throws InvalidAssertionException {
        String audience = registry.institution(ownAccountId, true).map(NetworkRegistry.Institution::endpoint)
                .orElseThrow(() -> new InvalidAssertionException("PHR-FEDERATION-0405: this deployment is not admitted on chain"));
        Instant now = clock.instant();
        ClientAssertion.Verified verified = ClientAssertion.verify(token, audience, registry::keys, now);
        if (!firstUse(verified, now)) {
            throw new InvalidAssertionException("PHR-FEDERATION-0409: this client assertion was used before");
        }
        ActingParty party = verified.party();
        Set<PhrRole> roles = PhrRole.fromRoleName(party.role()).filter(PhrRole.CARE_GIVERS::contains).map(Set::of).orElse(Set.of());
        return new FederatedCaller(new Caller(party.subjectId() + "@" + verified.issuer(), party.subjectName(), verified.issuer(), roles, party.acr(),
                verified.expiresAt(), false, Set.of(verified.issuer())), verified);
    }

    /** Records the assertion's jti; false if it is there already. Each statement commits on its own. */
    private boolean firstUse(ClientAssertion.Verified verified, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement s = c.prepareStatement("DELETE FROM phr_federation_assertion WHERE expires_at < ?")) {
                s.setTimestamp(1, Timestamp.from(now.minus(ClientAssertion.CLOCK_SKEW)));
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO phr_federation_assertion (issuer, jti, expires_at) VALUES (?, ?, ?)")) {
                s.setString(1, verified.issuer());
                s.setString(2, verified.jti());
                s.setTimestamp(3, Timestamp.from(verified.expiresAt()));
                s.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                    return false;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PHR-FEDERATION-0505: the replay check cannot use the database", e);
        }
    }
}
