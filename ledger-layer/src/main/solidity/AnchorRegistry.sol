// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PatientRegistry} from "./PatientRegistry.sol";
import {ConsentRegistry} from "./ConsentRegistry.sol";

/// @title PHR Cloud anchor registry
/// @notice The network's institutions and the checkpoints of the per-patient chains. A checkpoint is ONE Merkle root
///         (RFC 9162 hashing: leaf = SHA-256(0x00 | leaf bytes), node = SHA-256(0x01 | left | right)) over the heads
///         of the chains that changed since the previous anchor; the contract recomputes that root from the heads it
///         is given, so a checkpoint cannot disagree with them, and records each head in the PatientRegistry it
///         created, in the same transaction. Leaf bytes: pseudonym (32 bytes) | height (uint64, big-endian) | block
///         hash (32 bytes). Pseudonyms and hashes only, never health data. Only admitted institution accounts anchor.
contract AnchorRegistry {
    struct Checkpoint {
        bytes32 root;
        uint64 treeSize;
        uint64 timestamp;
        address institution;
    }

    address public immutable owner;
    PatientRegistry public immutable patientRegistry;
    ConsentRegistry public immutable consentRegistry;
    /// @notice Admitted institution accounts and the base URL of their deployment (empty = not admitted).
    mapping(address => string) public endpoints;
    /// @notice Each institution's JWK Set (RFC 7517 JSON, public keys only), published by the institution's own
    ///         account: the keys that sign its chain blocks and its RFC 7523 client assertions to other deployments.
    mapping(address => string) public jwks;
    /// @notice Every account ever admitted, in order of admission (see institutions() for the admitted ones).
    address[] private accounts;
    mapping(address => bool) private listed;
    Checkpoint[] private checkpoints;

    event InstitutionRegistered(address indexed account, string endpoint);
    event InstitutionRemoved(address indexed account);
    event KeysPublished(address indexed account);
    event Anchored(uint256 indexed index, bytes32 indexed root, uint64 treeSize, address indexed institution);

    error NotOwner();
    error NotInstitution();
    error EmptyTree();
    error EmptyEndpoint();
    error EmptyKeys();
    error LengthMismatch();
    error RootMismatch(bytes32 computed);
    error NoSuchCheckpoint();

    constructor() {
        owner = msg.sender;
        patientRegistry = new PatientRegistry();
        consentRegistry = new ConsentRegistry();
    }

    /// @notice The owner (the network's operator) admits an institution's account, or changes its endpoint.
    function setInstitution(address account, string calldata endpoint) external {
        if (msg.sender != owner) revert NotOwner();
        if (bytes(endpoint).length == 0) revert EmptyEndpoint();
        endpoints[account] = endpoint;
        if (!listed[account]) {
            listed[account] = true;
            accounts.push(account);
        }
        emit InstitutionRegistered(account, endpoint);
    }

    /// @notice An admitted institution publishes its JWK Set (replacing the previous one; keep retired keys in it
    ///         while their signatures must still verify).
    function publishKeys(string calldata jwkSet) external {
        if (!isInstitution(msg.sender)) revert NotInstitution();
        if (bytes(jwkSet).length == 0) revert EmptyKeys();
        jwks[msg.sender] = jwkSet;
        emit KeysPublished(msg.sender);
    }

    /// @notice The admitted institutions' accounts, in order of admission.
    function institutions() external view returns (address[] memory admitted) {
        uint256 n = 0;
        for (uint256 i = 0; i < accounts.length; i++) {
            if (isInstitution(accounts[i])) n++;
        }
        admitted = new address[](n);
        uint256 j = 0;
        for (uint256 i = 0; i < accounts.length; i++) {
            if (isInstitution(accounts[i])) admitted[j++] = accounts[i];
        }
    }

    /// @notice The owner removes an institution's account; its checkpoints and registrations stay.
    function removeInstitution(address account) external {
        if (msg.sender != owner) revert NotOwner();
        delete endpoints[account];
        emit InstitutionRemoved(account);
    }

    function isInstitution(address account) public view returns (bool) {
        return bytes(endpoints[account]).length != 0;
    }

    /// @notice Records a checkpoint over the given chain heads (ordered as the tree's leaves) and registers each head
    ///         as its patient's latest anchored head with the sender as home institution. Returns the checkpoint's
    ///         index. Reverts with RootMismatch when the given root is not the root of the heads.
    function anchor(bytes32 root, bytes32[] calldata pseudonyms, uint64[] calldata heights, bytes32[] calldata heads)
        public
        returns (uint256 index)
    {
        if (!isInstitution(msg.sender)) revert NotInstitution();
        uint256 n = pseudonyms.length;
        if (n == 0) revert EmptyTree();
        if (heights.length != n || heads.length != n) revert LengthMismatch();
        bytes32 computed = merkleRoot(pseudonyms, heights, heads);
        if (computed != root) revert RootMismatch(computed);
        index = checkpoints.length;
        checkpoints.push(Checkpoint(root, uint64(n), uint64(block.timestamp), msg.sender));
        emit Anchored(index, root, uint64(n), msg.sender);
        patientRegistry.recordHeads(msg.sender, pseudonyms, heights, heads);
    }

    /// @notice anchor(), and records the given consent states (of decisions in the anchored blocks) in the
    ///         ConsentRegistry in the same transaction.
    function anchorWithConsents(bytes32 root, bytes32[] calldata pseudonyms, uint64[] calldata heights, bytes32[] calldata heads,
                                ConsentRegistry.ConsentState[] calldata consents)
        external
        returns (uint256 index)
    {
        index = anchor(root, pseudonyms, heights, heads);
        consentRegistry.record(msg.sender, consents);
    }

    /// @notice RFC 9162 section 2.1.1 Merkle tree hash of the leaves, bottom-up (an odd last node moves up a level
    ///         unchanged, which gives the same tree as the RFC's split at the largest power of two).
    function merkleRoot(bytes32[] calldata pseudonyms, uint64[] calldata heights, bytes32[] calldata heads)
        public
        pure
        returns (bytes32)
    {
        uint256 n = pseudonyms.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            level[i] = sha256(abi.encodePacked(bytes1(0x00), pseudonyms[i], heights[i], heads[i]));
        }
        while (n > 1) {
            uint256 m = 0;
            for (uint256 i = 0; i + 1 < n; i += 2) {
                level[m++] = sha256(abi.encodePacked(bytes1(0x01), level[i], level[i + 1]));
            }
            if (n % 2 == 1) {
                level[m++] = level[n - 1];
            }
            n = m;
        }
        return level[0];
    }

    function count() external view returns (uint256) {
        return checkpoints.length;
    }

    function checkpoint(uint256 index)
        external
        view
        returns (bytes32 root, uint64 treeSize, uint64 timestamp, address institution)
    {
        if (index >= checkpoints.length) revert NoSuchCheckpoint();
        Checkpoint storage c = checkpoints[index];
        return (c.root, c.treeSize, c.timestamp, c.institution);
    }
}
