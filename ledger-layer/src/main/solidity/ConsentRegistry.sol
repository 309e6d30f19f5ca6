// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title PHR Cloud consent registry
/// @notice The state of every consent of the network (issue "Consent": pseudonym, hash of the grantee id, hash of the
///         scope, status and expiry), so that anyone can check whether a consent was in force without asking the
///         institution that holds it. Written only by the AnchorRegistry that created it, in the transaction of the
///         anchor whose chain heads include the block that recorded the decision. Idempotent: an entry with a version
///         not newer than the one stored is ignored, so a resent anchor changes nothing. Only the institution that
///         first recorded a consent updates it. Pseudonyms and hashes only, never health data.
contract ConsentRegistry {
    /// Status codes: 1 pending (asked), 2 active, 3 rejected, 4 revoked.
    struct ConsentState {
        bytes32 key;       // SHA-256 of "phr-consent:" | institution id | ":" | FHIR Consent id
        bytes32 pseudonym; // the patient
        bytes32 grantee;   // SHA-256 of "person:" | Keycloak user id, or "institution:" | institution id
        bytes32 scope;     // SHA-256 of the RFC 8785 canonical JSON of the terms (types, level, purpose, period)
        uint8 status;
        uint64 expiry;     // end of the grant, UNIX seconds
        uint64 version;    // the FHIR Consent's version
    }

    struct Entry {
        bytes32 pseudonym;
        bytes32 grantee;
        bytes32 scope;
        address institution;
        uint8 status;
        uint40 expiry;
        uint32 version;
    }

    address public immutable anchorRegistry;
    mapping(bytes32 => Entry) private entries;

    event ConsentRecorded(bytes32 indexed key, bytes32 indexed pseudonym, uint8 status, uint64 expiry, uint64 version,
                          address indexed institution);

    error NotAnchorRegistry();
    error NoSuchConsent();

    constructor() {
        anchorRegistry = msg.sender;
    }

    /// @notice Called by the AnchorRegistry with the consent states of one anchor.
    function record(address institution, ConsentState[] calldata consents) external {
        if (msg.sender != anchorRegistry) revert NotAnchorRegistry();
        for (uint256 i = 0; i < consents.length; i++) {
            ConsentState calldata c = consents[i];
            Entry storage e = entries[c.key];
            if (e.institution != address(0) && (e.institution != institution || c.version <= e.version)) {
                continue;
            }
            entries[c.key] = Entry(c.pseudonym, c.grantee, c.scope, institution, c.status, uint40(c.expiry), uint32(c.version));
            emit ConsentRecorded(c.key, c.pseudonym, c.status, c.expiry, c.version, institution);
        }
    }

    /// @notice A consent as last recorded. Reverts with NoSuchConsent for an unknown key.
    function consent(bytes32 key)
        external
        view
        returns (bytes32 pseudonym, bytes32 grantee, bytes32 scope, uint8 status, uint64 expiry, uint64 version, address institution)
    {
        Entry storage e = entries[key];
        if (e.institution == address(0)) revert NoSuchConsent();
        return (e.pseudonym, e.grantee, e.scope, e.status, e.expiry, e.version, e.institution);
    }

    /// @notice Whether the consent is active and not expired at this block's time.
    function inForce(bytes32 key) external view returns (bool) {
        Entry storage e = entries[key];
        return e.status == 2 && block.timestamp < e.expiry;
    }
}
