package org.phrcloud.ledger.chain;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies one patient's chain end to end: the blocks are heights 0, 1, 2, ... without gaps, all for the
 * same pseudonym, each names the hash of the block before it (the first names 32 zero bytes), each
 * carries a supported format version, and each is signed by its author key. Tampering with any block
 * breaks its own signature and the next block's link.
 */
public final class ChainVerifier {
    /**
     * @param valid    true when no problem was found
     * @param problems one line per problem, naming the height (no health data)
     */
    public record Result(boolean valid, List<String> problems) {
    }

    /** Checks a block's signature where its key depends on more than its key id (e.g. on who kept the chain at its height). */
    @FunctionalInterface
    public interface BlockSignatureCheck {
        /** @return true only if the block's author key is known and signed {@code blockHash} */
        boolean isValid(Block block, byte[] blockHash);
    }

    private final BlockSignatureCheck signatures;

    public ChainVerifier(SignatureCheck signatures) {
        this.signatures = (block, hash) -> signatures.isValid(block.authorKeyId(), hash, block.signature());
    }

    public ChainVerifier(BlockSignatureCheck signatures) {
        this.signatures = signatures;
    }

    public Result verify(List<Block> chain) {
        List<String> problems = new ArrayList<>();
        byte[] expectedPrevious = Block.GENESIS_PREVIOUS;
        String pseudonym = chain.isEmpty() ? null : chain.get(0).pseudonym();
        for (int i = 0; i < chain.size(); i++) {
            Block b = chain.get(i);
            if (b.version() != Block.VERSION) {
                problems.add("block " + i + ": unsupported format version " + b.version());
                continue;
            }
            if (b.height() != i) {
                problems.add("block " + i + ": height " + b.height() + " (a gap, a duplicate or a fork)");
            }
            if (!b.pseudonym().equals(pseudonym)) {
                problems.add("block " + i + ": belongs to another pseudonym");
            }
            if (!MessageDigest.isEqual(b.previousHash(), expectedPrevious)) {
                problems.add("block " + i + ": does not link to the hash of block " + (i - 1));
            }
            byte[] hash = b.hash();
            if (!signatures.isValid(b, hash)) {
                problems.add("block " + i + ": the signature of key " + b.authorKeyId() + " does not verify");
            }
            expectedPrevious = hash;
        }
        return new Result(problems.isEmpty(), problems);
    }
}
