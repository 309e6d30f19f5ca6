package org.phrcloud.it.identity;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.phrcloud.identity.PhrRole;
import org.phrcloud.identity.keycloak.DemoUser;
import org.phrcloud.identity.token.AccessTokenVerifier;
import org.phrcloud.tools.BrowserLogin;
import org.phrcloud.identity.caller.Caller;
import org.phrcloud.identity.totp.Totp;
import org.phrcloud.it.support.Platform;
import org.phrcloud.it.support.PlatformExtension;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokens from the real Keycloak, both ways (identity issue, "Done when"): the password + TOTP grant gives
 * {@code acr=1}; the browser code flow with {@code acr_values=2} asks for the OTP and gives {@code acr=2}.
 * Each token then passes the same {@link AccessTokenVerifier} the FHIR server uses.
 */
@ExtendWith(PlatformExtension.class)
class StepUpAuthenticationIT {
    private static Platform platform;
    private static AccessTokenVerifier verifier;
    private static DemoUser practitioner;

    @BeforeAll
    static void setUp() {
        platform = PlatformExtension.platform();
        verifier = new AccessTokenVerifier(AccessTokenVerifier.Settings.forKeycloakRealm(platform.realm().issuer(), "phr-backend"));
        practitioner = platform.realm().user("demo-practitioner");
    }

    private static BrowserLogin browser() {
        return platform.browser();
    }

    private static Map<String, String> credentials(DemoUser user) {
        return Map.of("username", user.username(), "password", user.password(), "credentialId", "");
    }

    @Test
    void thePasswordAloneGivesLevel1InTheBrowser() throws Exception {
        BrowserLogin browser = browser();
        BrowserLogin.Step login = browser.start(null);
        assertThat(login.showsForm("kc-form-login")).isTrue();

        BrowserLogin.Step after = browser.submit(credentials(practitioner));
        assertThat(after.code()).as("redirected back with a code, no OTP asked").isPresent();
        Caller token = verifier.verify(browser.accessToken(after.code().orElseThrow()));
        assertThat(token.acr()).isEqualTo("1");
        assertThat(token.clientId()).isEqualTo("phr-portal");
    }

    @Test
    void acrValues2AsksForTheOtpAndGivesLevel2() throws Exception {
        BrowserLogin browser = browser();
        browser.start("2");
        BrowserLogin.Step afterPassword = browser.submit(credentials(practitioner));
        assertThat(afterPassword.code()).as("no code before the second factor").isEmpty();
        assertThat(afterPassword.showsForm("kc-otp-login-form")).isTrue();

        BrowserLogin.Step afterOtp = browser.submit(Map.of("otp", Totp.code(practitioner.totpSecret(), Instant.now())));
        assertThat(afterOtp.code()).isPresent();
        String jwt = browser.accessToken(afterOtp.code().orElseThrow());
        Caller token = verifier.verify(jwt);
        assertThat(token.acr()).isEqualTo("2");
        assertThat(token.username()).isEqualTo("demo-practitioner");
        assertThat(token.roles()).contains(PhrRole.PRACTITIONER);
        assertThat(BrowserLogin.claims(jwt).path("aud").toString()).contains("phr-backend");
    }

    @Test
    void aWrongOtpGivesNoCode() throws Exception {
        BrowserLogin browser = browser();
        browser.start("2");
        browser.submit(credentials(practitioner));
        String current = Totp.code(practitioner.totpSecret(), Instant.now());
        String wrong = current.equals("000000") ? "111111" : "000000";
        BrowserLogin.Step afterOtp = browser.submit(Map.of("otp", wrong));
        assertThat(afterOtp.code()).isEmpty();
        assertThat(afterOtp.showsForm("kc-otp-login-form")).isTrue();
    }

    @Test
    void aWrongPasswordGivesNoCode() throws Exception {
        BrowserLogin browser = browser();
        browser.start("2");
        BrowserLogin.Step after = browser.submit(Map.of("username", practitioner.username(),
                "password", practitioner.password() + "x", "credentialId", ""));
        assertThat(after.code()).isEmpty();
        assertThat(after.showsForm("kc-form-login")).isTrue();
    }

    @Test
    void thePasswordAndTotpGrantGivesLevel1() throws Exception {
        Caller token = verifier.verify(platform.userToken("demo-patient"));
        assertThat(token.acr()).isEqualTo("1");
        assertThat(token.roles()).containsExactly(PhrRole.PATIENT);
    }

    @Test
    void everyDemoUserHasExactlyTheirRole() throws Exception {
        for (DemoUser user : platform.realm().users()) {
            Caller token = verifier.verify(platform.userToken(user.username()));
            assertThat(token.roles()).as(user.username()).containsExactly(user.role());
        }
    }
}
