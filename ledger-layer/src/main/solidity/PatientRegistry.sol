// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

interface InstitutionDirectory {
    function endpoints(address account) external view returns (string memory);
}

/// @title PHR Cloud patient registry
/// @notice Where a patient's chain lives (ARCHITECTURE.md, Federation): pseudonym (SHA-256 of the patient's public
///         key) -> home institution (its account and endpoint) and the latest anchored chain head. Written only by the
///         AnchorRegistry that created it, in the transaction of each anchor, so the registry never runs ahead of or
///         behind the checkpoints. The latest entry wins: a patient who moves is re-registered when the new home
///         anchors the copied chain. Pseudonyms and hashes only, never health data.
contract PatientRegistry {
    struct Registration {
        bytes32 head;
        uint64 height;
        address institution;
    }

    /// @notice The AnchorRegistry that created this registry; also where institutions' endpoints are kept.
    address public immutable anchorRegistry;
    mapping(bytes32 => Registration) private registrations;

    event HeadAnchored(bytes32 indexed pseudonym, bytes32 head, uint64 height, address indexed institution);

    error NotAnchorRegistry();
    error NotRegistered();

    constructor() {
        anchorRegistry = msg.sender;
    }

    /// @notice Called by the AnchorRegistry for the heads of one checkpoint; emits HeadAnchored for each.
    function recordHeads(address institution, bytes32[] calldata pseudonyms, uint64[] calldata heights,
                         bytes32[] calldata heads) external {
        if (msg.sender != anchorRegistry) revert NotAnchorRegistry();
        for (uint256 i = 0; i < pseudonyms.length; i++) {
            registrations[pseudonyms[i]] = Registration(heads[i], heights[i], institution);
            emit HeadAnchored(pseudonyms[i], heads[i], heights[i], institution);
        }
    }

    /// @notice The home of a patient's chain: the endpoint and account of the institution that anchored its latest
    ///         head, and that head. Reverts with NotRegistered for an unknown pseudonym.
    function lookup(bytes32 pseudonym)
        external
        view
        returns (string memory endpoint, bytes32 head, uint64 height, address institution)
    {
        Registration storage r = registrations[pseudonym];
        if (r.institution == address(0)) revert NotRegistered();
        return (InstitutionDirectory(anchorRegistry).endpoints(r.institution), r.head, r.height, r.institution);
    }
}
