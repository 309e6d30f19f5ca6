package org.phrcloud.ledger.chain;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.phrcloud.ledger.merkle.MerkleTree;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChainTest {
    private static final String PSEUDONYM = "a".repeat(64);
    private static final Map<String, KeyPair> KEYS = new HashMap<>();

    /** ECDSA P-256 with JCA, as the identity layer signs in production (the ledger only sees these interfaces). */
    private static final BlockSigner SIGNER = (keyId, hash) -> {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(KEYS.get(keyId).getPrivate());
            s.update(hash);
            return s.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    };
    private static final SignatureCheck CHECK = (keyId, hash, signature) -> {
        KeyPair keys = KEYS.get(keyId);
        if (keys == null) {
            return false;
        }
        try {
            PublicKey key = keys.getPublic();
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initVerify(key);
            s.update(hash);
            return s.verify(signature);
        } catch (Exception e) {
            return false;
        }
    };

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KEYS.put("hospital-a/2026-1", g.generateKeyPair());
        KEYS.put("pharmacy-b/2026-1", g.generateKeyPair());
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Block> chain(int length) throws Exception {
        List<Block> chain = new ArrayList<>();
        Block previous = null;
        for (int i = 0; i < length; i++) {
            String author = i % 2 == 0 ? "hospital-a/2026-1" : "pharmacy-b/2026-1";
            Entry e = new Entry("Observation", "obs-" + i, "1", Operation.CREATE, sha256("{\"resourceType\":\"Observation\",\"n\":" + i + "}"));
            Block b = Block.create(previous, PSEUDONYM, 1_795_000_000_000L + i, author, "Practitioner/p" + i, List.of(e))
                    .signedWith(SIGNER);
            chain.add(b);
            previous = b;
        }
        return chain;
    }

    private final ChainVerifier verifier = new ChainVerifier(CHECK);

    @Test
    void aSignedChainVerifies() throws Exception {
        List<Block> chain = chain(6);
        assertThat(verifier.verify(chain).problems()).isEmpty();
        assertThat(chain.get(3).height()).isEqualTo(3);
        assertThat(chain.get(3).previousHash()).isEqualTo(chain.get(2).hash());
        assertThat(chain.get(0).previousHash()).isEqualTo(new byte[32]);
    }

    @Test
    void anAlteredEntryBreaksItsSignatureAndTheNextLink() throws Exception {
        List<Block> chain = chain(4);
        Block b = chain.get(2);
        Entry altered = new Entry("Observation", "obs-2", "1", Operation.CREATE, sha256("{\"changed\":true}"));
        chain.set(2, new Block(b.version(), b.pseudonym(), b.height(), b.previousHash(), b.timestamp(), b.authorKeyId(),
                b.practitionerId(), List.of(altered), b.signature()));
        assertThat(verifier.verify(chain).problems()).containsExactly(
                "block 2: the signature of key hospital-a/2026-1 does not verify",
                "block 3: does not link to the hash of block 2");
    }

    @Test
    void aRemovedOrReorderedBlockIsFound() throws Exception {
        List<Block> gap = chain(4);
        gap.remove(1);
        assertThat(verifier.verify(gap).problems()).contains("block 1: height 2 (a gap, a duplicate or a fork)",
                "block 1: does not link to the hash of block 0");

        List<Block> swapped = chain(4);
        swapped.add(1, swapped.remove(2));
        assertThat(verifier.verify(swapped).valid()).isFalse();
    }

    @Test
    void anotherPatientsBlockOrAnUnknownKeyIsFound() throws Exception {
        List<Block> chain = chain(2);
        Block b = chain.get(1);
        Block foreign = new Block(b.version(), "b".repeat(64), b.height(), b.previousHash(), b.timestamp(),
                b.authorKeyId(), b.practitionerId(), b.entries(), null).signedWith(SIGNER);
        assertThat(verifier.verify(List.of(chain.get(0), foreign)).problems()).contains("block 1: belongs to another pseudonym");

        Block unsigned = Block.create(null, PSEUDONYM, 1L, "unknown-key", null, chain.get(0).entries());
        assertThat(verifier.verify(List.of(unsigned)).problems())
                .containsExactly("block 0: the signature of key unknown-key does not verify");
    }

    @Test
    void theCanonicalEncodingHasTheDocumentedLayout() throws Exception {
        Block b = chain(1).get(0);
        ByteBuffer bytes = ByteBuffer.wrap(b.canonicalEncoding());
        byte[] magic = new byte[4];
        bytes.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("PHRB");
        assertThat(bytes.get()).isEqualTo((byte) 1);
        assertThat(bytes.getInt()).isEqualTo(64);
        byte[] pseudonym = new byte[64];
        bytes.get(pseudonym);
        assertThat(new String(pseudonym, StandardCharsets.UTF_8)).isEqualTo(PSEUDONYM);
        assertThat(bytes.getLong()).isZero();                 // height
        byte[] previous = new byte[32];
        bytes.get(previous);
        assertThat(previous).isEqualTo(new byte[32]);
        assertThat(bytes.getLong()).isEqualTo(1_795_000_000_000L); // timestamp
        // ... author, practitioner, entries; the encoding ends with the entries' Merkle root
        byte[] encoding = b.canonicalEncoding();
        byte[] tail = java.util.Arrays.copyOfRange(encoding, encoding.length - 32, encoding.length);
        assertThat(tail).isEqualTo(MerkleTree.leafHash(Block.encode(b.entries().get(0))));
        assertThat(b.hash()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(encoding));
        assertThat(b.signature()).hasSize(64);
    }

    @Test
    void aBlockReadsBackFromItsEncodingAndAnEntryCountItsBytesCannotHoldIsRefused() throws Exception {
        Block b = chain(1).get(0);
        Block read = Block.decode(b.canonicalEncoding(), b.signature());
        assertThat(read.hash()).isEqualTo(b.hash());
        assertThat(read.entries()).hasSize(1);

        byte[] encoding = b.canonicalEncoding();
        int countAt = 4 + 1 + 4 + 64 + 8 + 32 + 8 + 4 + b.authorKeyId().getBytes(StandardCharsets.UTF_8).length
                + 4 + b.practitionerId().getBytes(StandardCharsets.UTF_8).length;
        assertThat(ByteBuffer.wrap(encoding, countAt, 4).getInt()).isEqualTo(1);
        ByteBuffer.wrap(encoding, countAt, 4).putInt(Integer.MAX_VALUE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Block.decode(encoding, b.signature()))
                .as("found by fuzzing: it allocated for 2^31 entries and ran out of memory")
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("PHR-LEDGER-0204");
    }
}
