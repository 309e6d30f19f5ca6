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
 * role (care giver or patient), their {@code acr}, and as institution the calling institution's CAIP-10 account id (never one of this
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
     * A refused assertion, the one answer {@code /fhir} and {@code /api} give for it.
     *
     * @param status 401 (the assertion is not valid here: send {@code WWW-Authenticate} with {@code invalid_client}),
     *               403 (valid, but the person it acts for may not act across deployments) or 503 (the chain or the
     *               database cannot be asked; try again)
     */
    public static final class Refused extends Exception {
        private final int status;

        Refused(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Verifies an assertion, records its {@code jti} and requires that it acts for a care giver or a patient (the only
     * people one deployment acts for at another; a patient only where an endpoint admits {@code FEDERATED_PATIENT}).
     *
     * @throws Refused 401 with {@code PHR-FEDERATION-0401} to {@code 0409} (see {@link ClientAssertion#verify});
     *                 403 with {@code PHR-FEDERATION-0411} for another person; 503 with {@code PHR-FEDERATION-0503}
     *                 (chain) or {@code 0505} (database)
     */
    public FederatedCaller verify(String token) throws Refused {
        try {
            String audience = registry.institution(ownAccountId, true).map(NetworkRegistry.Institution::endpoint)
                    .orElseThrow(() -> new InvalidAssertionException("PHR-FEDERATION-0405: this deployment is not admitted on chain"));
            Instant now = clock.instant();
            ClientAssertion.Verified verified = ClientAssertion.verify(token, audience, registry::keys, now);
            if (!firstUse(verified, now)) {
                throw new InvalidAssertionException("PHR-FEDERATION-0409: this client assertion was used before");
            }
            ActingParty party = verified.party();
            Set<PhrRole> roles = PhrRole.fromRoleName(party.role()).filter(r -> PhrRole.CARE_GIVERS.contains(r) || r == PhrRole.PATIENT)
                    .map(Set::of).orElse(Set.of());
            if (roles.isEmpty()) {
                throw new Refused(403, "PHR-FEDERATION-0411: another institution may act only for care givers and patients", null);
            }
            return new FederatedCaller(new Caller(party.subjectId() + "@" + verified.issuer(), party.subjectName(), verified.issuer(), roles,
                    party.acr(), verified.expiresAt(), false, Set.of(verified.issuer())), verified);
        } catch (InvalidAssertionException e) {
            throw new Refused(401, e.getMessage(), e);
        } catch (NetworkRegistry.RegistryUnavailableException e) {
            throw new Refused(503, "PHR-FEDERATION-0503: the network registry on chain cannot be read", e);
        } catch (SQLException e) {
            throw new Refused(503, "PHR-FEDERATION-0505: the replay check cannot use the database", e);
        }
    }

    /**
     * The other way round: a caller here as the person this deployment acts for at another deployment (the party of
     * the client assertions it sends): their user id, name, role (their care-giver role, else {@code patient}), their
     * {@code acr} ("1" when the token names none) and the purpose of use.
     */
    public static ActingParty actingParty(Caller caller, String purposeOfUse) {
        String role = caller.roles().stream().filter(PhrRole.CARE_GIVERS::contains).map(PhrRole::roleName).sorted()
                .findFirst().orElse(PhrRole.PATIENT.roleName());
        return new ActingParty(caller.subject(), caller.username(), role, caller.acr() == null ? "1" : caller.acr(), purposeOfUse);
    }

    /**
     * The purpose of use of a caller's own request (HL7 v3 ActReason): {@code TREAT} for a care giver, {@code PATRQT}
     * (patient request) for anyone else.
     */
    public static String purposeOfUse(Caller caller) {
        return caller.isCareGiver() ? "TREAT" : "PATRQT";
    }

    /** Records the assertion's jti; false if it is there already. Each statement commits on its own. */
    private boolean firstUse(ClientAssertion.Verified verified, Instant now) throws SQLException {
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
        }
    }
}
