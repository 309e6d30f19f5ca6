package org.phrcloud.consent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.erdtman.jcs.JsonCanonicalizer;
import org.phrcloud.identity.keys.EcdsaP256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;

/**
 * The bytes a patient signs to decide about a consent, format {@value #FORMAT}: the UTF-8 of a JSON object in RFC
 * 8785 canonical form (JSON Canonicalization Scheme: members sorted, no whitespace):
 * <pre>
 * {"consent":"&lt;Consent id&gt;","decision":"approve|reject|revoke","format":"phr-consent-decision/1",
 *  "grantee":{"id":"&lt;Keycloak user id or institution id&gt;","kind":"person|institution"},
 *  "level":"information|sample|full","patient":"&lt;pseudonym&gt;",
 *  "period":{"end":"2027-11-24T10:00:00Z","start":"2026-11-24T10:00:00Z"},
 *  "purpose":"TREAT|CAREMGT|HRESCH","resourceTypes":["Condition","Observation"]}
 * </pre>
 * The signature is ECDSA P-256 with SHA-256 over these bytes in the IEEE P1363 form (r || s, 64 bytes), what
 * WebCrypto's {@code sign({name: "ECDSA", hash: "SHA-256"}, key, bytes)} returns. Anyone holding the Consent and
 * the patient's registered public key can rebuild the bytes and check the signature.
 */
public final class DecisionDocument {
    public static final String FORMAT = "phr-consent-decision/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DecisionDocument() {
    }

    /** @return the canonical UTF-8 bytes of the decision */
    public static byte[] of(String consentId, String pseudonym, Grantee grantee, ConsentTerms terms, Decision decision) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("format", FORMAT);
        doc.put("consent", consentId);
        doc.put("decision", decision.code());
        doc.put("patient", pseudonym);
        doc.putObject("grantee").put("kind", grantee.kind().code()).put("id", grantee.id());
        return canonical(withTerms(doc, terms));
    }

    /**
     * The terms alone, in the same canonical form: {@code {"level":..,"period":{"end":..,"start":..},"purpose":..,
     * "resourceTypes":[..]}}; its SHA-256 is the scope hash of the on-chain ConsentRegistry.
     */
    public static byte[] scope(ConsentTerms terms) {
        return canonical(withTerms(JSON.createObjectNode(), terms));
    }

    private static ObjectNode withTerms(ObjectNode doc, ConsentTerms terms) {
        terms.resourceTypes().forEach(doc.putArray("resourceTypes")::add);
        doc.put("level", terms.level().code());
        doc.put("purpose", terms.purpose());
        doc.putObject("period").put("start", terms.start().toString()).put("end", terms.end().toString());
        return doc;
    }

    /** RFC 8785 JSON Canonicalization Scheme, UTF-8. */
    private static byte[] canonical(ObjectNode doc) {
        try {
            return new JsonCanonicalizer(JSON.writeValueAsString(doc)).getEncodedUTF8();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param publicKey DER SubjectPublicKeyInfo of the patient's P-256 key, as registered in the master patient index
     * @return true only if {@code signature} is the key's P1363 signature of {@code document}
     */
    public static boolean verify(byte[] publicKey, byte[] document, byte[] signature) {
        try {
            PublicKey key = EcdsaP256.publicKey(publicKey);
            return signature != null && signature.length == 64 && EcdsaP256.verify(key, document, signature);
        } catch (InvalidKeySpecException e) {
            return false;
        }
    }
}
