package org.phrcloud.ledger.chain;

import org.phrcloud.ledger.merkle.MerkleTree;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * One block of a patient's chain. Its life: the write path builds it inside the FHIR write's database
 * transaction ({@link #create}), the author institution signs its hash, it is stored, and later its hash
 * goes into an anchored Merkle root.
 *
 * <h2>Canonical encoding, format version 1</h2>
 * The bytes that are hashed ({@link #hash()} = SHA-256 of them) and whose hash is signed. Integers are
 * big-endian; text is UTF-8 with a 4-byte length before it; {@code bytes32} is 32 raw bytes.
 * <pre>
 *   "PHRB" (4 bytes) | u8 version = 1
 *   text  pseudonym               (64 hex characters)
 *   u64   height                  (0 for the first block)
 *   bytes32 previous block hash   (32 zero bytes for height 0)
 *   u64   timestamp               (UTC, milliseconds since the epoch)
 *   text  author key id           (the institution's signing key: its kid; for a block another institution of the
 *                                  network made for a chain kept here, {@code <CAIP-10 account id>#<kid>})
 *   text  practitioner id         (empty when none)
 *   u32   entry count
 *   per entry: text resourceType | text id | text versionId | u8 operation (1 create, 2 update, 3 delete) | bytes32 content hash
 *              (id: the resource's logical id here, or the absolute URL of a record another deployment keeps)
 *   bytes32 entries Merkle root   (RFC 9162 MTH over the entries' own encodings, in order)
 * </pre>
 * The signature is not part of the encoding: it signs {@link #hash()}.
 *
 * @param signature the author institution's signature of {@link #hash()}; empty before signing
 */
public record Block(int version, String pseudonym, long height, byte[] previousHash, long timestamp, String authorKeyId,
                    String practitionerId, List<Entry> entries, byte[] signature) {
    public static final int VERSION = 1;
    public static final byte[] GENESIS_PREVIOUS = new byte[32];

    public Block {
        Objects.requireNonNull(pseudonym);
        Objects.requireNonNull(authorKeyId);
        practitionerId = practitionerId == null ? "" : practitionerId;
        if (previousHash == null || previousHash.length != 32) {
            throw new IllegalArgumentException("PHR-LEDGER-0202: the previous hash is 32 bytes");
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("PHR-LEDGER-0203: a block records at least one entry");
        }
        previousHash = previousHash.clone();
        entries = List.copyOf(entries);
        signature = signature == null ? new byte[0] : signature.clone();
    }

    /** A block after {@code previous} (or the first one when previous is null), not yet signed. */
    public static Block create(Block previous, String pseudonym, long timestamp, String authorKeyId,
                               String practitionerId, List<Entry> entries) {
        return new Block(VERSION, pseudonym, previous == null ? 0 : previous.height() + 1,
                previous == null ? GENESIS_PREVIOUS : previous.hash(), timestamp, authorKeyId, practitionerId, entries, null);
    }

    /** @return this block with the signature of its hash by the author institution */
    public Block signedWith(BlockSigner signer) {
        return new Block(version, pseudonym, height, previousHash, timestamp, authorKeyId, practitionerId, entries,
                signer.sign(authorKeyId, hash()));
    }

    @Override
    public byte[] previousHash() {
        return previousHash.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** RFC 9162 MTH over the entries' encodings. */
    public byte[] entriesRoot() {
        return new MerkleTree(entries.stream().map(Block::encode).toList()).root();
    }

    /** SHA-256 of {@link #canonicalEncoding()}, 32 bytes. */
    public byte[] hash() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(canonicalEncoding());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The canonical encoding described above. */
    public byte[] canonicalEncoding() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write("PHRB".getBytes(StandardCharsets.US_ASCII));
            out.writeByte(version);
            text(out, pseudonym);
            out.writeLong(height);
            out.write(previousHash);
            out.writeLong(timestamp);
            text(out, authorKeyId);
            text(out, practitionerId);
            out.writeInt(entries.size());
            for (Entry e : entries) {
                out.write(encode(e));
            }
            out.write(entriesRoot());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a block back from its {@link #canonicalEncoding()} and signature.
     *
     * @throws IllegalArgumentException if the bytes are not a format-1 encoding, or its entries root does not
     *                                  match its entries
     */
    public static Block decode(byte[] encoding, byte[] signature) {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(encoding))) {
            byte[] magic = in.readNBytes(4);
            if (!"PHRB".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IllegalArgumentException("PHR-LEDGER-0204: not a block encoding");
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("PHR-LEDGER-0205: unsupported block format version " + version);
            }
            String pseudonym = readText(in);
            long height = in.readLong();
            byte[] previous = in.readNBytes(32);
            long timestamp = in.readLong();
            String author = readText(in);
            String practitioner = readText(in);
            int count = in.readInt();
            // an entry takes at least 45 bytes (three text lengths, the operation, the content hash): a count the
            // remaining bytes cannot hold is refused before anything is allocated for it (found by fuzzing: an export
            // claiming 2^31 entries ran the verifier out of memory)
            if (count < 0 || count > in.available() / 45) {
                throw new IllegalArgumentException("PHR-LEDGER-0204: a truncated block encoding (" + count + " entries)");
            }
            List<Entry> entries = new java.util.ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String type = readText(in);
                String id = readText(in);
                String versionId = readText(in);
                int op = in.readUnsignedByte();
                byte[] content = in.readNBytes(32);
                entries.add(new Entry(type, id, versionId, Operation.of(op), content));
            }
            byte[] root = in.readNBytes(32);
            if (in.read() != -1) {
                throw new IllegalArgumentException("PHR-LEDGER-0206: bytes after the end of the block");
            }
            Block block = new Block(version, pseudonym, height, previous, timestamp, author, practitioner, entries, signature);
            if (!java.util.Arrays.equals(root, block.entriesRoot())) {
                throw new IllegalArgumentException("PHR-LEDGER-0207: the entries root does not match the entries");
            }
            return block;
        } catch (IOException e) {
            throw new IllegalArgumentException("PHR-LEDGER-0204: a truncated block encoding", e);
        }
    }

    private static String readText(java.io.DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 1 << 20) {
            throw new IOException("text length " + length);
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** An entry's own encoding, the leaf of the block's entries tree (see the format above). */
    public static byte[] entryEncoding(Entry e) {
        return encode(e);
    }

    static byte[] encode(Entry e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            text(out, e.resourceType());
            text(out, e.id());
            text(out, e.versionId());
            out.writeByte(e.operation().code);
            out.write(e.contentHash());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
